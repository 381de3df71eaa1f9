using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tollgate.Storage.Alerts;
using Tollgate.Storage.Billing;
using Tollgate.Storage.Catalog;
using Tollgate.Storage.Customers;
using Tollgate.Storage.Database;
using Tollgate.Storage.Email;
using Tollgate.Storage.Experiments;
using Tollgate.Storage.Keys;
using Tollgate.Storage.Llm;
using Tollgate.Storage.Payments;
using Tollgate.Storage.Settings;
using Tollgate.Storage.Entitlements;
using Tollgate.Storage.Webhooks;

namespace Tollgate.Storage;

public static class StorageServices
{
    /// <summary>Registers the store chosen by <see cref="DatabaseOptions"/> (bound when first resolved) and every capability store on it.</summary>
    public static IServiceCollection AddTollgateStorage(this IServiceCollection services)
    {
        services.AddSingleton<TollgateDatabase>(sp => Open(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        services.AddSingleton<Migrator>();
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<CustomerSessionStore>();
        services.AddSingleton<EntitlementContextCache>();
        services.AddSingleton<CustomerStore>();
        services.AddMetrics(); // IMeterFactory: each host gets its own meters, so hosts in one process never mix counts
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton<GroupCommitter>();
        services.AddHostedService<GroupCommitterService>();
        services.AddSingleton<EntitlementStore>();
        services.AddSingleton<Reservations>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<MetricEventStore>();
        services.AddSingleton<UsageQueries>();
        services.AddSingleton<Retention.RetentionPruner>();
        services.AddSingleton<BillingStore>();
        services.AddSingleton<BillingCycle>();
        services.AddSingleton<InvoiceStore>();
        services.AddSingleton<CreditNoteStore>();
        services.AddSingleton<SubscriptionHistory>();
        services.AddSingleton<ModelPriceStore>();
        services.AddSingleton<LlmUsageStore>();
        services.AddSingleton<LlmRecompute>();
        services.AddSingleton<LlmStatsQueries>();
        services.AddSingleton<RevenueQueries>();
        services.AddSingleton<StripeLinks>();
        services.AddSingleton<StripeEventStore>();
        services.AddSingleton<AlertWriter>();
        services.AddSingleton<AlertStore>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<ServerSettings>();
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<ExperimentTallies>();
        services.AddSingleton<CustomerErasure>();
        services.AddSingleton<CustomerDataExport>();
        services.AddSingleton<Exports.ExportQueries>();
        services.AddSingleton<EmailStore>();
        services.AddSingleton<Discounts.CouponStore>();
        services.AddSingleton<Discounts.DiscountStore>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<SeatChanges>();
        services.AddSingleton<Grants.CreditGrantStore>();
        services.AddSingleton<CustomerLists>();
        services.AddSingleton<InvoiceLists>();
        services.AddSingleton<UsageHistory>();
        services.AddSingleton<LlmCallLog>();
        services.AddSingleton<Grants.PackSales>();
        return services;
    }

    public static TollgateDatabase Open(DatabaseOptions options) => options.ParsedProvider switch
    {
        // No default for PostgreSQL: a SQLite path handed to Npgsql would fail with a far less helpful message.
        DatabaseProvider.Postgres => new PostgresDatabase(string.IsNullOrWhiteSpace(options.ConnectionString)
            ? throw new InvalidOperationException("Tollgate:Database:ConnectionString is required for postgres.") : options.ConnectionString,
            options.PreparedStatements),
        _ => new SqliteDatabase(
            string.IsNullOrWhiteSpace(options.ConnectionString) ? DatabaseOptions.DefaultSqlitePath : options.ConnectionString, options.SqliteSynchronous),
    };
}
