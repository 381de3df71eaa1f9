using Tollgate.Server.Catalog;
using Tollgate.Server.Llm;
using Tollgate.Storage.Database;
using Tollgate.Server.Keys;
using Tollgate.Storage.Retention;

namespace Tollgate.Server.Composition;

/// <summary>Runs before the server listens: migrations and time partitions, then the first-start catalog, model prices and admin key.</summary>
public sealed class StartupTasks(
    Migrator migrator, RetentionPruner retention, CatalogSeeder seeder, ModelPriceStore prices, ApiKeyStore keys, IConfiguration configuration,
    TollgateDatabase database, TimeProvider time, ILogger<StartupTasks> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var report = await migrator.MigrateAsync(cancellationToken);
        logger.LogInformation("Database {Database}: {Report}", database.Describe, report.Describe());
        // Time partitions (PostgreSQL) for the weeks ahead exist before the first insert; retention keeps making them.
        await retention.EnsurePartitionsAsync(time.GetUtcNow(), cancellationToken);
        await seeder.SeedIfEmptyAsync(cancellationToken);
        await LlmPricesApi.SeedDefaultsAsync(prices, cancellationToken);

        // Without TOLLGATE_ADMIN_KEY a fresh database would have no way in; like Jupyter's token, print one once.
        if (configuration["TOLLGATE_ADMIN_KEY"] is not { Length: > 0 } &&
            await keys.CreateFirstAdminKeyAsync("first start", cancellationToken) is { } created)
        {
            logger.LogWarning(
                "No admin key existed, so one was created ({Id}): {Key} . It is shown only now: keep it to sign in at /admin and to call the admin API. " +
                "Manage keys with the 'keys' command or set TOLLGATE_ADMIN_KEY.", created.Record.Id, created.PlainText);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
