using Tollgate.Core.Catalog;
using Tollgate.Server.Catalog;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class CatalogStoreContract : StoreContract
{
    private static CatalogDefinition CareerCoach() => CatalogDocument.Parse(Json.Catalog("career-coach.json")).Catalog!;

    private async Task<CatalogStore> StoreAsync() => new(await FreshDatabaseAsync(), Clock);

    [Fact]
    public async Task ApplyingACatalogStoresEveryPlanAtVersionOne()
    {
        var store = await StoreAsync();

        var result = await store.ApplyAsync(CareerCoach());
        var snapshot = await store.LoadAsync();

        Assert.True(result.Changed);
        Assert.Equal(1, result.Revision);
        Assert.Equal(["free", "basic", "pro", "enterprise"], snapshot.Plans.Select(p => p.Code));
        Assert.All(snapshot.Plans, p => Assert.Equal(1, p.Current.Version));
        Assert.Equal(7, snapshot.Features.Count);
        Assert.Equal(2999, snapshot.Plan("pro")!.Current.Terms.Price(BillingInterval.Monthly)!.PriceCents);
        Assert.Null(snapshot.Plan("enterprise")!.Current.Terms.Feature("cv_generate")!.MonthlyQuota);
        Assert.Equal("free", snapshot.DefaultPlan);
        Assert.Equal(3, snapshot.Faq.Count);
    }

    [Fact]
    public async Task ApplyingTheSameDocumentTwiceChangesNothingAndSaysSo()
    {
        var store = await StoreAsync();
        await store.ApplyAsync(CareerCoach());

        var second = await store.ApplyAsync(CareerCoach());

        Assert.False(second.Changed);
        Assert.Empty(second.Changes);
        Assert.Equal(1, second.Revision);
    }

    [Fact]
    public async Task ChangingAQuotaCreatesAVersionAndKeepsTheOldOneForItsSubscribers()
    {
        var store = await StoreAsync();
        await store.ApplyAsync(CareerCoach());
        var catalog = CareerCoach();
        var changed = catalog with
        {
            Plans = [.. catalog.Plans.Select(p => p.Code != "pro" ? p : p with
            {
                Terms = p.Terms with { Features = [.. p.Terms.Features.Select(f => f.FeatureCode == "cv_generate" ? f with { MonthlyQuota = 40 } : f)] },
            })],
        };

        var result = await store.ApplyAsync(changed);
        var snapshot = await store.LoadAsync();
        var old = await store.GetPlanVersionAsync("pro_v1");

        Assert.True(result.Changed);
        Assert.Contains(result.Changes, c => c.StartsWith("plan pro: version 2 created", StringComparison.Ordinal));
        Assert.Equal(2, snapshot.Plan("pro")!.Current.Version);
        Assert.Equal(40, snapshot.Plan("pro")!.Current.Terms.Feature("cv_generate")!.MonthlyQuota);
        Assert.Equal(30, old!.Terms.Feature("cv_generate")!.MonthlyQuota);
        Assert.Equal(1, snapshot.Plan("basic")!.Current.Version);
        Assert.Equal([1, 2], (await store.ListPlanVersionsAsync("pro")).Select(v => v.Version));
    }

    [Fact]
    public async Task ChangingOnlyMarketingFieldsUpdatesThePlanWithoutANewVersion()
    {
        var store = await StoreAsync();
        await store.ApplyAsync(CareerCoach());
        var catalog = CareerCoach();
        var renamed = catalog with
        {
            Plans = [.. catalog.Plans.Select(p => p.Code == "basic" ? p with { Name = "Starter", IsPopular = true } : p)],
        };

        var result = await store.ApplyAsync(renamed);
        var basic = (await store.LoadAsync()).Plan("basic")!;

        Assert.Equal(["plan basic: name, is_popular updated"], result.Changes);
        Assert.Equal(("Starter", true, 1), (basic.Name, basic.IsPopular, basic.Current.Version));
    }

    [Fact]
    public async Task ChangingAFeaturesKindIsRefusedAndNothingIsWritten()
    {
        var store = await StoreAsync();
        await store.ApplyAsync(CareerCoach());
        var catalog = CareerCoach();
        var changed = catalog with
        {
            Features = [.. catalog.Features.Select(f => f.Code == "job_tracking" ? f with { Kind = FeatureKind.Metered } : f)],
            Plans = [.. catalog.Plans.Select(p => p with { Name = p.Name + "!" })],
        };

        var result = await store.ApplyAsync(changed);

        Assert.False(result.IsValid);
        Assert.Equal("features[6].kind", result.Problems.Single().Path);
        Assert.Equal("Free", (await store.LoadAsync()).Plan("free")!.Name);
    }

    [Fact]
    public async Task ExportThenApplyRoundTripsWithoutChanges()
    {
        var store = await StoreAsync();
        await store.ApplyAsync(CatalogDocument.Parse(Json.Catalog("data-api.json")).Catalog!);
        var exported = CatalogDocumentWriter.Write((await store.LoadAsync()).ToDefinition());

        var reapplied = await store.ApplyAsync(CatalogDocument.Parse(exported).Catalog!);

        Assert.False(reapplied.Changed);
        Assert.Equal(exported, CatalogDocumentWriter.Write((await store.LoadAsync()).ToDefinition()));
        Assert.Contains("\"value\": null", exported, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentAppliesOfOneDocumentCreateOneVersion()
    {
        var store = await StoreAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => store.ApplyAsync(CareerCoach()))));

        Assert.Single(results, r => r.Changed);
        Assert.Equal([1], (await store.ListPlanVersionsAsync("pro")).Select(v => v.Version));
    }
}

public sealed class SqliteCatalogStoreTests : CatalogStoreContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresCatalogStoreTests : CatalogStoreContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
