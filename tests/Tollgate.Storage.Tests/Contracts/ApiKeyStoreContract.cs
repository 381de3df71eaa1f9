using Tollgate.Server.Keys;
using Tollgate.Testing;

namespace Tollgate.Storage.Tests.Contracts;

public abstract class ApiKeyStoreContract : StoreContract
{
    [Fact]
    public async Task CreatedKeyVerifiesWithItsRoleAndOnlyItsHashIsStored()
    {
        var database = await FreshDatabaseAsync();
        var store = new ApiKeyStore(database, Clock);

        var created = await store.CreateAsync("backend", ApiKeyRole.Secret);
        var verified = await store.VerifyAsync(created.PlainText);
        var stored = await database.ReadAsync(c => Dapper.SqlMapper.QuerySingleAsync<string>(c, "SELECT key_hash FROM api_keys"));

        Assert.StartsWith("tg_sk_", created.PlainText, StringComparison.Ordinal);
        Assert.Equal((created.Record.Id, ApiKeyRole.Secret), (verified!.Id, verified.Role));
        Assert.DoesNotContain(created.PlainText[6..], stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodesStartingTogetherOnAnEmptyStoreCreateOneFirstAdminKeyBetweenThem()
    {
        var database = await FreshDatabaseAsync();
        var store = new ApiKeyStore(database, Clock);

        var firsts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => store.CreateFirstAdminKeyAsync("first start"))));
        var later = await store.CreateFirstAdminKeyAsync("first start");

        var created = Assert.Single(firsts, k => k is not null)!;
        Assert.Equal(ApiKeyRole.Admin, (await store.VerifyAsync(created.PlainText))!.Role);
        Assert.Null(later);
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task AKeyWithOneWrongCharacterDoesNotVerify()
    {
        var store = new ApiKeyStore(await FreshDatabaseAsync(), Clock);
        var created = await store.CreateAsync("backend", ApiKeyRole.Admin);
        var tampered = created.PlainText[..^1] + (created.PlainText[^1] == 'a' ? 'b' : 'a');

        Assert.Null(await store.VerifyAsync(tampered));
        Assert.Null(await store.VerifyAsync("not a key"));
    }

    [Fact]
    public async Task RevokedKeyNoLongerVerifies()
    {
        var store = new ApiKeyStore(await FreshDatabaseAsync(), Clock);
        var created = await store.CreateAsync("old", ApiKeyRole.Publishable);

        Assert.True(await store.RevokeAsync(created.Record.Id));
        Assert.False(await store.RevokeAsync(created.Record.Id));
        Assert.Null(await store.VerifyAsync(created.PlainText));
        Assert.NotNull((await store.ListAsync()).Single().RevokedAt);
    }
}

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresApiKeyStoreTests : ApiKeyStoreContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
