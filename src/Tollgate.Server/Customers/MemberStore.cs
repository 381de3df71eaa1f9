using System.Data.Common;
using Dapper;
using Tollgate.Core.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Customers;

/// <summary>
/// An organisation's members. A new member takes a seat with one conditional UPDATE of the organisation's member_count,
/// bounded by its live subscription's seats, so concurrent additions on any number of nodes never pass the seats. Every
/// write takes the organisation's row before the member's (<see cref="CustomerLock"/>).
/// </summary>
public sealed class MemberStore(TollgateDatabase database, EntitlementContextCache contexts, TimeProvider time)
{
    private const string Live = "('trialing', 'active', 'past_due', 'incomplete')";

    public async Task<(MemberWrite Outcome, Member? Member)> UpsertAsync(
        string customerId, string memberId, string? email, string? name, string role, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            return await database.WriteAsync<(MemberWrite, Member?)>(async (c, tx) =>
            {
                // The organisation's row first (CustomerLock), as seat changes take it, so the seats read below are the committed ones;
                // an erased organisation takes no member and no member's personal data.
                if (!await CustomerLock.TakeLiveAsync(c, tx, customerId, database.Dialect, cancellationToken))
                {
                    return (MemberWrite.CustomerNotFound, null);
                }

                var existing = await ReadAsync(c, tx, memberId, database.Dialect.ForUpdate, cancellationToken);
                if (existing is not null)
                {
                    if (existing.CustomerId != customerId)
                    {
                        return (MemberWrite.IdTaken, null);
                    }

                    await c.ExecuteAsync(new CommandDefinition(
                        "UPDATE members SET email = @email, name = @name, role = @role, updated_at = @now WHERE id = @memberId",
                        new { email, name, role, now, memberId }, tx, cancellationToken: cancellationToken));
                    return (MemberWrite.Updated, existing with { Email = email, Name = name, Role = role, UpdatedAt = Instant(now) });
                }

                if (await Exists(c, tx, "customers", memberId, cancellationToken))
                {
                    return (MemberWrite.IdTaken, null);
                }

                // The seat: taken only while members stay below the live subscription's seats (any number without a per-seat price).
                var taken = await c.ExecuteAsync(new CommandDefinition($"""
                    UPDATE customers SET member_count = member_count + 1
                    WHERE id = @customerId AND member_count < COALESCE(
                        (SELECT s.seats FROM subscriptions s WHERE s.customer_id = @customerId AND s.status IN {Live}), {long.MaxValue})
                    """, new { customerId }, tx, cancellationToken: cancellationToken));
                if (taken == 0)
                {
                    return (MemberWrite.SeatsExhausted, null);
                }

                await c.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO members (id, customer_id, email, name, role, created_at, updated_at)
                    VALUES (@memberId, @customerId, @email, @name, @role, @now, @now)
                    """, new { memberId, customerId, email, name, role, now }, tx, cancellationToken: cancellationToken));
                return (MemberWrite.Created, new Member(memberId, customerId, email, name, role, Instant(now), Instant(now)));
            }, cancellationToken);
        }
        catch (DbException e) when (database.IsUniqueViolation(e))
        {
            // Another request created the same member first; this one is then an update of it.
            return await UpsertAsync(customerId, memberId, email, name, role, cancellationToken);
        }
        finally
        {
            contexts.Invalidate(memberId);
        }
    }

    /// <summary>
    /// Removes the member and gives its seat back: <see cref="MemberWrite.Updated"/> when it did, <see cref="MemberWrite.CustomerNotFound"/>
    /// when the organisation does not exist or was erased (its members then stay as erasure left them), null when it has no such member.
    /// </summary>
    public async Task<MemberWrite?> DeleteAsync(string customerId, string memberId, CancellationToken cancellationToken = default)
    {
        var deleted = await database.WriteAsync<MemberWrite?>(async (c, tx) =>
        {
            if (!await CustomerLock.TakeLiveAsync(c, tx, customerId, database.Dialect, cancellationToken))
            {
                return MemberWrite.CustomerNotFound;
            }

            var removed = await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM members WHERE id = @memberId AND customer_id = @customerId", new { memberId, customerId }, tx,
                cancellationToken: cancellationToken));
            if (removed == 1)
            {
                await c.ExecuteAsync(new CommandDefinition("UPDATE customers SET member_count = member_count - 1 WHERE id = @customerId",
                    new { customerId }, tx, cancellationToken: cancellationToken));
            }

            return removed == 1 ? MemberWrite.Updated : null;
        }, cancellationToken);
        contexts.Invalidate(memberId);
        return deleted;
    }

    public Task<Member?> GetAsync(string memberId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => ReadAsync(c, null, memberId, "", cancellationToken), cancellationToken);

    /// <summary>One page of the organisation's members in id order; the keyset's sort key is the constant 0, so the id alone orders it.</summary>
    public Task<Page<Member>> ListAsync(string customerId, PageRequest page, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c =>
        {
            var parameters = new DynamicParameters(new { customerId });
            Keyset.Bind(parameters, page);
            var rows = (await c.QueryAsync<MemberRow>(new CommandDefinition($"""
                SELECT id, customer_id, email, name, role, created_at, updated_at FROM members
                WHERE customer_id = @customerId AND {Keyset.After(page, "0", "id", descending: false)}
                ORDER BY id LIMIT @page_limit
                """, parameters, cancellationToken: cancellationToken))).Select(r => r.ToDomain()).ToList();
            return Keyset.Cut(rows, page, m => new Cursor(0, m.Id));
        }, cancellationToken);

    /// <summary>How many members the organisation has, as counted against its seats.</summary>
    public Task<long> CountAsync(string customerId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE((SELECT member_count FROM customers WHERE id = @customerId), 0)", new { customerId }, cancellationToken: cancellationToken)),
            cancellationToken);

    private static async Task<Member?> ReadAsync(DbConnection c, DbTransaction? tx, string memberId, string lockClause, CancellationToken ct) =>
        (await c.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(
            $"SELECT id, customer_id, email, name, role, created_at, updated_at FROM members WHERE id = @memberId {lockClause}",
            new { memberId }, tx, cancellationToken: ct)))?.ToDomain();

    private static async Task<bool> Exists(DbConnection c, DbTransaction tx, string table, string id, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table} WHERE id = @id", new { id }, tx, cancellationToken: ct)) > 0;

    private static DateTimeOffset Instant(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private sealed class MemberRow
    {
        public string Id { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string? Email { get; set; }
        public string? Name { get; set; }
        public string Role { get; set; } = "";
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public Member ToDomain() => new(Id, CustomerId, Email, Name, Role, Instant(CreatedAt), Instant(UpdatedAt));
    }
}
