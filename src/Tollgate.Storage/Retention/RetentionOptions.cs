namespace Tollgate.Storage.Retention;

/// <summary>
/// How long raw rows are kept (Tollgate:Retention). Rollups (usage_daily, llm_daily*), counters and invoices are never
/// pruned, so reports read the same before and after. On PostgreSQL llm_calls and usage_events go a whole week at a time
/// (<see cref="TimePartitions"/>), so their rows may be kept up to 7 days past these settings; event ids are not, call ids go with their week.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Tollgate:Retention";

    /// <summary>The LLM call log (llm_calls); a price recompute can only reprice calls still held.</summary>
    public int LlmCallsDays { get; set; } = 400;

    /// <summary>Usage events; at least 36, because an event id must be remembered as long as an event that old is accepted.</summary>
    public int EventsDays { get; set; } = 90;

    /// <summary>Finished webhook deliveries (succeeded, dead, canceled), their attempts, and events left without deliveries.</summary>
    public int WebhookDeliveriesDays { get; set; } = 30;

    /// <summary>Finished e-mail messages (sent, dead, skipped) and their attempts, counted from the last attempt.</summary>
    public int EmailsDays { get; set; } = 30;

    /// <summary>Stripe event ids; at least 7, as Stripe retries an event for up to three days.</summary>
    public int StripeEventsDays { get; set; } = 90;

    /// <summary>
    /// Idempotency keys of consumes and reserves (idempotency_keys) and of the keyed billing POSTs with their kept answers
    /// (idempotent_requests); a retry within this many hours gets the first answer back, a key older is a new request.
    /// </summary>
    public int IdempotencyKeysHours { get; set; } = 48;

    /// <summary>Rows deleted per transaction, so no pass holds a lock for long.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>How often a node tries to prune.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far back a usage event may be dated. It lives here, not with the events, because the kernel must keep an event's
    /// id at least this long for a resent event to count once, and the kernel imports no capability.
    /// </summary>
    public static readonly TimeSpan OldestAcceptedEvent = TimeSpan.FromDays(35);

    public static readonly int MinimumEventsDays = (int)Math.Ceiling((OldestAcceptedEvent + TimeSpan.FromDays(1)).TotalDays);

    /// <summary>The first setting that is out of range, named, or null when all are usable.</summary>
    public string? Problem() =>
        LlmCallsDays < 1 ? "Tollgate:Retention:LlmCallsDays must be at least 1"
        : EventsDays < MinimumEventsDays ? $"Tollgate:Retention:EventsDays must be at least {MinimumEventsDays} (the oldest event accepted, plus a day)"
        : WebhookDeliveriesDays < 1 ? "Tollgate:Retention:WebhookDeliveriesDays must be at least 1"
        : EmailsDays < 1 ? "Tollgate:Retention:EmailsDays must be at least 1"
        : StripeEventsDays < 7 ? "Tollgate:Retention:StripeEventsDays must be at least 7"
        : IdempotencyKeysHours < 1 ? "Tollgate:Retention:IdempotencyKeysHours must be at least 1"
        : BatchSize is < 1 or > 100_000 ? "Tollgate:Retention:BatchSize must be between 1 and 100000"
        : Interval <= TimeSpan.Zero ? "Tollgate:Retention:Interval must be positive"
        : null;
}

/// <summary>Refuses to start with a retention setting out of range, naming it.</summary>
public sealed class RetentionOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<RetentionOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, RetentionOptions options) =>
        options.Problem() is { } problem
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problem)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
