using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Email;

/// <summary>The e-mail log, and the claim and settle steps of the e-mail dispatcher.</summary>
public sealed class EmailStore(TollgateDatabase database, TimeProvider time)
{
    /// <summary>Messages waiting to be sent, due now or retrying later, for the backlog gauge.</summary>
    public Task<OutboxBacklog> BacklogAsync(CancellationToken cancellationToken) =>
        OutboxBacklog.ReadAsync(database, "email_messages", cancellationToken);

    /// <summary>How long a claimed message is reserved for its sender, so no other node sends it meanwhile.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> Statuses = ["pending", "sent", "dead", "skipped"];

    /// <summary>Whether anything is due: a read, so idle nodes do not take the write lock every poll.</summary>
    public Task<bool> HasDueAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM email_messages WHERE status = 'pending' AND next_attempt_at <= @now LIMIT 1",
            new { now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)) is not null, cancellationToken);

    /// <summary>Claims up to <paramref name="max"/> due messages; on PostgreSQL rows another node is claiming are skipped.</summary>
    public Task<IReadOnlyList<ClaimedEmail>> ClaimDueAsync(int max, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<ClaimedEmail>>(async (c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var skipLocked = database.Dialect.ForUpdateSkipLocked;
            var due = (await c.QueryAsync<ClaimedEmailRow>(new CommandDefinition($"""
                SELECT id, idempotency_key, kind, event_type, customer_id, recipient, object_id, payload_json, attempts, replayed_after, queued_at
                FROM email_messages
                WHERE status = 'pending' AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until <= @now)
                ORDER BY next_attempt_at, id LIMIT @max {skipLocked}
                """, new { now, max = (long)max }, tx, cancellationToken: cancellationToken))).ToList();
            foreach (var row in due)
            {
                await c.ExecuteAsync(new CommandDefinition("UPDATE email_messages SET locked_until = @until WHERE id = @Id",
                    new { until = now + (long)Lease.TotalMilliseconds, row.Id }, tx, cancellationToken: cancellationToken));
            }

            return [.. due.Select(r => r.ToDomain())];
        }, cancellationToken);

    /// <summary>
    /// Records one attempt: success marks the message sent; a failure schedules the next try at <paramref name="retryAt"/>,
    /// or ends it as dead when that is null.
    /// </summary>
    public Task RecordAttemptAsync(ClaimedEmail message, string? subject, bool sent, int? smtpStatus, string? error, TimeSpan duration,
        DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var attempt = message.Attempts + 1;
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO email_attempts (message_id, attempt, at, smtp_status, error, duration_ms) VALUES (@Id, @attempt, @now, @smtpStatus, @error, @ms)
                """, new { message.Id, attempt, now, smtpStatus, error, ms = (long)duration.TotalMilliseconds }, tx, cancellationToken: cancellationToken));
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE email_messages SET status = @status, attempts = @attempt, subject = COALESCE(@subject, subject), next_attempt_at = @next,
                    locked_until = NULL, last_attempt_at = @now, last_error = @error, sent_at = @sentAt
                WHERE id = @Id AND status = 'pending'
                """, new
            {
                status = sent ? "sent" : retryAt is null ? "dead" : "pending", attempt, subject, next = sent ? null : retryAt?.ToUnixTimeMilliseconds(),
                now, error, sentAt = sent ? now : (long?)null, message.Id,
            }, tx, cancellationToken: cancellationToken));
        }, cancellationToken);

    /// <summary>Ends a message unsent, with the reason (no SMTP server configured): it stays in the log and can be replayed.</summary>
    public Task SkipAsync(ClaimedEmail message, string reason, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            UPDATE email_messages SET status = 'skipped', next_attempt_at = NULL, locked_until = NULL, last_error = @reason
            WHERE id = @Id AND status = 'pending'
            """, new { reason, message.Id }, tx, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>Messages newest first, filtered by status and customer, a keyset page at a time.</summary>
    /// <summary>One page of the log, newest first, by keyset on (created_at, id).</summary>
    public Task<Page<EmailMessage>> ListAsync(string? status, string? customer, PageRequest page, CancellationToken cancellationToken) =>
        database.ReadAsync(async c =>
        {
            var parameters = new DynamicParameters(new { status, customer });
            Keyset.Bind(parameters, page);
            var rows = (await c.QueryAsync<EmailRow>(new CommandDefinition($"""
                SELECT {EmailRow.Columns} FROM email_messages
                WHERE {Keyset.After(page, "created_at", "id", descending: true)}
                    {(status is null ? "" : "AND status = @status")} {(customer is null ? "" : "AND customer_id = @customer")}
                {Keyset.OrderBy("created_at", "id", descending: true)} LIMIT @page_limit
                """, parameters, cancellationToken: cancellationToken))).ToList();
            return Keyset.Cut(rows, page, r => new Cursor(r.CreatedAt, r.Id)).Select(r => r.ToDomain());
        }, cancellationToken);

    public Task<(EmailMessage Message, IReadOnlyList<EmailAttempt> Attempts)?> GetAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync<(EmailMessage, IReadOnlyList<EmailAttempt>)?>(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<EmailRow>(new CommandDefinition(
                $"SELECT {EmailRow.Columns} FROM email_messages WHERE id = @id", new { id }, cancellationToken: cancellationToken));
            if (row is null)
            {
                return null;
            }

            var attempts = await c.QueryAsync<EmailAttemptRow>(new CommandDefinition(
                "SELECT attempt, at, smtp_status, error, duration_ms FROM email_attempts WHERE message_id = @id ORDER BY attempt", new { id },
                cancellationToken: cancellationToken));
            return (row.ToDomain(), [.. attempts.Select(a => a.ToDomain())]);
        }, cancellationToken);

    /// <summary>Queues a dead or skipped message again, due now, with a fresh set of attempts; a sent message is never sent again.</summary>
    public Task<EmailReplay> ReplayAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var status = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT status FROM email_messages WHERE id = @id", new { id }, tx, cancellationToken: cancellationToken));
            switch (status)
            {
                case null:
                    return EmailReplay.NotFound;
                case "sent":
                    return EmailReplay.AlreadySent;
                case "pending":
                    return EmailReplay.StillPending;
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE email_messages SET status = 'pending', queued_at = @now, next_attempt_at = @now, locked_until = NULL, replayed_after = attempts
                WHERE id = @id AND status IN ('dead', 'skipped')
                """, new { id, now }, tx, cancellationToken: cancellationToken));
            return EmailReplay.Requeued;
        }, cancellationToken);
}
