using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Entitlements;

/// <summary>A node whose commit queue is full refuses at once with 503 overloaded, and what it refuses writes nothing.</summary>
public abstract class OverloadContract : ApiContract
{
    [Fact]
    public async Task ConsumePastTheQueueCapacityIs503OverloadedWithRetryAfterAndWritesNothing()
    {
        await using var app = await StartAsync(ApiSetup.RulesCatalog("Tollgate:Database:QueueCapacity", "1"));
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        var database = app.Services.GetRequiredService<TollgateDatabase>();

        // Another writer holds the counters, so the one operation the queue has room for waits in its batch.
        await using var blocker = await database.OpenAsync();
        await using var transaction = await database.BeginWriteAsync(blocker);
        if (Kind == StoreKind.Postgres)
        {
            await using var lockTable = blocker.CreateCommand();
            lockTable.Transaction = transaction;
            lockTable.CommandText = "LOCK TABLE usage_counters IN EXCLUSIVE MODE";
            await lockTable.ExecuteNonQueryAsync();
        }

        var first = app.ConsumeAsync("c1", "capped", 3);
        var second = app.ConsumeAsync("c2", "capped", 5);
        var refused = await await Task.WhenAny(first, second);
        await transaction.RollbackAsync();
        var granted = refused == await first ? await second : await first;

        var problem = await refused.ReadAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal("overloaded", problem["error"].Value<string>());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var used = await Task.WhenAll(new[] { "c1", "c2" }.Select(async c =>
            (await (await app.Admin.GetAsync($"/v1/customers/{c}/usage")).ReadAsync())["features"]?["capped"]?["used"]?.Value<long>() ?? 0));
        Assert.Equal((await granted.ReadAsync())["used"].Value<long>(), used.Sum());
    }
}

public sealed class SqliteOverloadTests : OverloadContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresOverloadTests : OverloadContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
