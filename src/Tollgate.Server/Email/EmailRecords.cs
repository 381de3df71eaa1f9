namespace Tollgate.Server.Email;

/// <summary>One e-mail to one customer, with its delivery state: pending, sent, dead (given up) or skipped (not sent, and why).</summary>
public sealed record EmailMessage(
    string Id, string Kind, string EventType, string CustomerId, string Recipient, string ObjectId, string? Subject, string Status, int Attempts,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, string? LastError, DateTimeOffset? SentAt, DateTimeOffset CreatedAt);

/// <summary>One try at sending a message: the SMTP reply code when the server gave one.</summary>
public sealed record EmailAttempt(int Attempt, DateTimeOffset At, int? SmtpStatus, string? Error, long DurationMs);

/// <summary>A message claimed for sending, with what it is rendered from; <see cref="AttemptsSinceReplay"/> counts toward the limit.</summary>
public sealed record ClaimedEmail(
    string Id, string IdempotencyKey, string Kind, string EventType, string CustomerId, string Recipient, string ObjectId, string PayloadJson,
    int Attempts, DateTimeOffset QueuedAt, int AttemptsSinceReplay = 0);

/// <summary>What a replay did.</summary>
public enum EmailReplay
{
    NotFound,

    /// <summary>The message was sent: sending it again would break the one-e-mail-per-event rule.</summary>
    AlreadySent,

    /// <summary>It is still queued; nothing to do.</summary>
    StillPending,
    Requeued,
}

internal sealed class EmailRow
{
    public const string Columns = "id, kind, event_type, customer_id, recipient, object_id, subject, status, attempts, next_attempt_at, " +
        "last_attempt_at, last_error, sent_at, created_at";

    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string EventType { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string ObjectId { get; set; } = "";
    public string? Subject { get; set; }
    public string Status { get; set; } = "";
    public long Attempts { get; set; }
    public long? NextAttemptAt { get; set; }
    public long? LastAttemptAt { get; set; }
    public string? LastError { get; set; }
    public long? SentAt { get; set; }
    public long CreatedAt { get; set; }

    public EmailMessage ToDomain() => new(Id, Kind, EventType, CustomerId, Recipient, ObjectId, Subject, Status, (int)Attempts, At(NextAttemptAt),
        At(LastAttemptAt), LastError, At(SentAt), DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));

    internal static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

internal sealed class ClaimedEmailRow
{
    public string Id { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string Kind { get; set; } = "";
    public string EventType { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string ObjectId { get; set; } = "";
    public string PayloadJson { get; set; } = "";
    public long Attempts { get; set; }
    public long ReplayedAfter { get; set; }
    public long QueuedAt { get; set; }

    public ClaimedEmail ToDomain() => new(Id, IdempotencyKey, Kind, EventType, CustomerId, Recipient, ObjectId, PayloadJson, (int)Attempts,
        DateTimeOffset.FromUnixTimeMilliseconds(QueuedAt), (int)(Attempts - ReplayedAfter));
}

internal sealed class EmailAttemptRow
{
    public long Attempt { get; set; }
    public long At { get; set; }
    public long? SmtpStatus { get; set; }
    public string? Error { get; set; }
    public long DurationMs { get; set; }

    public EmailAttempt ToDomain() => new((int)Attempt, DateTimeOffset.FromUnixTimeMilliseconds(At), (int?)SmtpStatus, Error, DurationMs);
}
