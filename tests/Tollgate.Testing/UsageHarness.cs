using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Time;
using Tollgate.Server.Alerts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;
using Tollgate.Server.Entitlements;

namespace Tollgate.Testing;

/// <summary>The stores of the hot path wired together on a fresh database, without HTTP, for contract tests.</summary>
public sealed class UsageHarness : IAsyncDisposable
{
    private UsageHarness(TollgateDatabase database, ManualClock clock, int writerLanes)
    {
        Database = database;
        Clock = clock;
        CatalogStore = new CatalogStore(database, clock);
        Catalog = new CatalogCache(CatalogStore, clock);
        Contexts = new EntitlementContextCache(database, Catalog, Microsoft.Extensions.Options.Options.Create(new EntitlementOptions()));
        Customers = new CustomerStore(database, clock, Contexts);
        Committer = new GroupCommitter(database, clock, NullLogger<GroupCommitter>.Instance,
            Microsoft.Extensions.Options.Options.Create(new DatabaseOptions { WriterLanes = writerLanes }));
        Alerts = new AlertWriter(Catalog, clock);
        Entitlements = new EntitlementStore(database, Committer, Contexts, Catalog, Alerts, clock);
        Reservations = new Reservations(database, Committer, Contexts, Alerts);
        Events = new EventStore(Committer, Contexts, Alerts, Catalog, clock);
        Usage = new UsageQueries(database, Contexts, clock);
    }

    public TollgateDatabase Database { get; }
    public ManualClock Clock { get; }
    public CatalogStore CatalogStore { get; }
    public CatalogCache Catalog { get; }
    public EntitlementContextCache Contexts { get; }
    public CustomerStore Customers { get; }
    public GroupCommitter Committer { get; }
    public AlertWriter Alerts { get; }
    public EntitlementStore Entitlements { get; }
    public Reservations Reservations { get; }
    public EventStore Events { get; }
    public UsageQueries Usage { get; }

    /// <summary>A harness with the given catalog applied (the career coach's when none is named), its writer on <paramref name="writerLanes"/> connections.</summary>
    public static async Task<UsageHarness> StartAsync(StoreKind kind, string catalogJson, DateTimeOffset? start = null, int writerLanes = 1)
    {
        var harness = new UsageHarness(await TestDatabases.OpenAsync(kind), new ManualClock(start ?? TollgateApp.DefaultStart), writerLanes);
        var parsed = CatalogDocument.Parse(catalogJson);
        if (!parsed.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", parsed.Problems));
        }

        await harness.CatalogStore.ApplyAsync(parsed.Catalog!);
        return harness;
    }

    public Task AddCustomerAsync(string id) => Customers.UpsertAsync(id, null, null, null, null);

    /// <summary>Subscribes the customer to the plan's current version, anchored now.</summary>
    public async Task<Subscription> SubscribeAsync(string customer, string plan, BillingInterval interval = BillingInterval.Monthly)
    {
        var now = Clock.GetUtcNow();
        var version = (await Catalog.GetAsync()).Plan(plan)!.Current;
        var period = Core.Periods.BillingPeriod.Nth(now, interval, 0);
        var subscription = new Subscription
        {
            Id = "sub_" + Guid.NewGuid().ToString("N")[..12], CustomerId = customer, PlanCode = plan, PlanVersionId = version.Id,
            BillingPeriod = interval, Status = SubscriptionStatus.Active, AnchorAt = now, CurrentPeriodStart = period.Start,
            CurrentPeriodEnd = period.End, CreatedAt = now, UpdatedAt = now,
        };
        if (!await Customers.InsertSubscriptionAsync(subscription))
        {
            throw new InvalidOperationException("customer already subscribed");
        }

        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        await Committer.DisposeAsync();
        if (Database is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
