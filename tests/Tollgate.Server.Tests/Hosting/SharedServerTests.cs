using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>The fixture that lets a test class share one server keeps it for the class, and refuses what sharing would break.</summary>
public sealed class SharedServerTests
{
    private static readonly Dictionary<string, string?> Ticking = new() { ["Tollgate:TestClock:Ticking"] = "true" };

    [Fact]
    public async Task ATestsDisposeLeavesTheSharedServerRunningForTheNextTestOfItsClass()
    {
        await using var shared = new SharedServer();
        var first = await shared.StartAsync(StoreKind.Sqlite);
        await using (first)
        {
            await first.CustomerAsync("c1");
        }

        var next = await shared.StartAsync(StoreKind.Sqlite);

        Assert.Same(first, next);
        Assert.Equal(HttpStatusCode.OK, (await next.Admin.GetAsync("/v1/customers/c1")).StatusCode);
    }

    [Fact]
    public async Task ARequestToAServerThatStoppedWithoutItsTestFailsNamingWhatStoppedIt()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);

        app.Get<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().StopApplication();
        // The entry point disposes the host a moment after the stop is asked for.
        InvalidOperationException? failure = null;
        for (var attempt = 0; attempt < 200 && failure is null; attempt++)
        {
            try
            {
                await app.Admin.GetAsync("/v1/customers");
                await Task.Delay(50);
            }
            catch (InvalidOperationException e)
            {
                failure = e;
            }
        }

        Assert.NotNull(failure);

        Assert.Contains("asked to stop by", failure.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ARequestToAServerThatStoppedWithoutItsTestFailsNamingWhatStoppedIt), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachTheorysCasesShareAServerOfTheirOwn()
    {
        await using var shared = new SharedServer();

        var first = await shared.StartAsync(StoreKind.Sqlite, group: "ATheory");
        var again = await shared.StartAsync(StoreKind.Sqlite, group: "ATheory");
        var other = await shared.StartAsync(StoreKind.Sqlite, group: "AnotherTheory");

        Assert.Same(first, again);
        Assert.NotSame(first, other);
    }

    [Fact]
    public async Task ASharedServerRefusesATestThatAsksForOtherSettings()
    {
        await using var shared = new SharedServer();
        await shared.StartAsync(StoreKind.Sqlite);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            shared.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" }));

        Assert.Contains("one store and one set of settings", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASharedServerWhoseClockATestMovedIsRefusedToTheNextTest()
    {
        await using var shared = new SharedServer();
        var app = await shared.StartAsync(StoreKind.Sqlite);
        await app.AdvanceAsync(TimeSpan.FromDays(1));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => shared.StartAsync(StoreKind.Sqlite));

        Assert.Contains("moved the shared server's clock", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnATickingClockTheWallTimeIsNotAMoveButATestsAdvanceIs()
    {
        await using var shared = new SharedServer();
        var app = await shared.StartAsync(StoreKind.Sqlite, Ticking);
        await Task.Delay(TimeSpan.FromMilliseconds(1_500));

        var again = await shared.StartAsync(StoreKind.Sqlite, Ticking);
        await app.AdvanceAsync(TimeSpan.FromHours(1));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => shared.StartAsync(StoreKind.Sqlite, Ticking));

        Assert.Same(app, again);
        Assert.Contains("moved the shared server's clock", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerWithTheTestClockOffIsSharedToo()
    {
        await using var shared = new SharedServer();
        var off = new Dictionary<string, string?> { ["Tollgate:TestClock:Enabled"] = "false" };

        var first = await shared.StartAsync(StoreKind.Sqlite, off);
        var next = await shared.StartAsync(StoreKind.Sqlite, off);

        Assert.Same(first, next);
    }
}
