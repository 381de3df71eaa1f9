using Tollgate.Server.Entitlements;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class GroupCommitterContract : StoreContract
{
    [Fact]
    public async Task AnOperationCancelledBeforeItsBatchStartsIsDroppedAndTheWriterGoesOn()
    {
        await using var h = await UsageHarness.StartAsync(Kind, Catalogs.Rules);
        await h.AddCustomerAsync("c1");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var ran = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Committer.RunAsync("c1", _ =>
        {
            ran = true;
            return Task.FromResult(0);
        }, cancelled.Token));
        var consumed = await h.Entitlements.ConsumeAsync(new ConsumeCommand("c1", "capped", 4, null));

        Assert.False(ran);
        Assert.True(Assert.IsType<UsageOutcome.Decided>(consumed).Decision.Allowed);
        Assert.Equal(4, (await h.Usage.CurrentPeriodAsync("c1"))!.Counter("capped").Used);
    }
}

public sealed class SqliteGroupCommitterTests : GroupCommitterContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresGroupCommitterTests : GroupCommitterContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
