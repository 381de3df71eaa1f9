using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>The fixture that lets a test class share one server keeps it for the class, and refuses what sharing would break.</summary>
public sealed class SharedServerTests
{
    [Fact]
    public async Task ATestsDisposeLeavesTheSharedServerRunningForTheNextTestOfItsClass()
    {
        var shared = new SharedServer();
        try
        {
            var first = await shared.StartAsync(StoreKind.Sqlite);
            await using (first)
            {
                await first.CustomerAsync("c1");
            }

            var next = await shared.StartAsync(StoreKind.Sqlite);

            Assert.Same(first, next);
            Assert.Equal(HttpStatusCode.OK, (await next.Admin.GetAsync("/v1/customers/c1")).StatusCode);
        }
        finally
        {
            await shared.DisposeAsync();
        }
    }

    [Fact]
    public async Task EachTheorysCasesShareAServerOfTheirOwn()
    {
        var shared = new SharedServer();
        try
        {
            var first = await shared.StartAsync(StoreKind.Sqlite, group: "ATheory");
            var again = await shared.StartAsync(StoreKind.Sqlite, group: "ATheory");
            var other = await shared.StartAsync(StoreKind.Sqlite, group: "AnotherTheory");

            Assert.Same(first, again);
            Assert.NotSame(first, other);
        }
        finally
        {
            await shared.DisposeAsync();
        }
    }

    [Fact]
    public async Task ASharedServerRefusesATestThatAsksForOtherSettings()
    {
        var shared = new SharedServer();
        try
        {
            await shared.StartAsync(StoreKind.Sqlite);

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                shared.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" }));

            Assert.Contains("one store and one set of settings", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await shared.DisposeAsync();
        }
    }

    [Fact]
    public async Task ASharedServerWhoseClockATestMovedIsRefusedToTheNextTest()
    {
        var shared = new SharedServer();
        try
        {
            var app = await shared.StartAsync(StoreKind.Sqlite);
            await app.AdvanceAsync(TimeSpan.FromDays(1));

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => shared.StartAsync(StoreKind.Sqlite));

            Assert.Contains("moved the shared server's clock", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await shared.DisposeAsync();
        }
    }
}
