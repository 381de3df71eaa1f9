using Tollgate.Server.Catalog;
using Tollgate.Server.Llm;
using Tollgate.Storage.Llm;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Hosting;

/// <summary>Runs before the server listens: migrations, then the first-start catalog.</summary>
public sealed class StartupTasks(
    Migrator migrator, CatalogSeeder seeder, ModelPriceStore prices, TollgateDatabase database, ILogger<StartupTasks> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var report = await migrator.MigrateAsync(cancellationToken);
        logger.LogInformation("Database {Database}: {Report}", database.Describe, report.Describe());
        await seeder.SeedIfEmptyAsync(cancellationToken);
        await LlmPricesApi.SeedDefaultsAsync(prices, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
