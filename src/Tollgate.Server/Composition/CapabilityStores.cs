using Tollgate.Server.Entitlements;
using Tollgate.Storage;
using Tollgate.Server.Alerts;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Email;
using Tollgate.Server.Experiments;
using Tollgate.Server.Keys;
using Tollgate.Server.Llm;
using Tollgate.Server.Payments;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Composition;

/// <summary>The capabilities' services, one instance per host, over the kernel's database.</summary>
public static class CapabilityStores
{
    /// <summary>Registers every capability's store on the kernel's database (<see cref="StorageServices.AddTollgateStorage"/>).</summary>
    public static IServiceCollection AddCapabilityStores(this IServiceCollection services)
    {
        services.AddSingleton<CatalogStore>();
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<CustomerSessionStore>();
        services.AddSingleton<EntitlementContextCache>();
        services.AddSingleton<CustomerStore>();
        services.AddSingleton<EntitlementStore>();
        services.AddSingleton<Reservations>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<MetricEventStore>();
        services.AddSingleton<UsageQueries>();
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
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<ExperimentTallies>();
        services.AddSingleton<CustomerErasure>();
        services.AddSingleton<CustomerDataExport>();
        services.AddSingleton<Server.Exports.ExportQueries>();
        services.AddSingleton<EmailStore>();
        services.AddSingleton<Server.Discounts.CouponStore>();
        services.AddSingleton<Server.Discounts.DiscountStore>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<SeatChanges>();
        services.AddSingleton<Server.Grants.CreditGrantStore>();
        services.AddSingleton<CustomerLists>();
        services.AddSingleton<InvoiceLists>();
        services.AddSingleton<UsageHistory>();
        services.AddSingleton<LlmCallLog>();
        services.AddSingleton<Taxes.TaxRateStore>();
        services.AddSingleton<Server.Grants.PackSales>();
        services.AddSingleton<IInvoiceVoided, Server.Grants.PackGrantsOnVoid>();
        return services;
    }
}
