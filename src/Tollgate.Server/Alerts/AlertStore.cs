using System.Collections.Concurrent;
using System.Data;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Alerts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Catalog;
using Tollgate.Storage.Database;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Alerts;

/// <summary>
/// Fires usage alerts inside the transaction that adds the usage: a threshold crossing is found from the counter's
/// value before and after this very update, and a unique key makes each alert fire once per customer, feature, period
/// and threshold, however many nodes and concurrent requests race.
/// </summary>
public sealed class AlertWriter(CatalogCache catalog, TimeProvider time)
{
    private const int MaxRemembered = 100_000;

    private static readonly Statement Insert = new("""
        INSERT INTO usage_alerts (id, customer_id, feature_code, period_start, period_end, kind, threshold, severity, used, limit_value, projected_at,
            message, created_at, read_at)
        VALUES (@id, @customer, @feature, @periodStart, @periodEnd, @kind, @threshold, @severity, @used, @limit, @projectedAt, @message, @now, NULL)
        ON CONFLICT (customer_id, feature_code, period_start, kind, threshold) DO NOTHING
        """, ("id", DbType.String), ("customer", DbType.String), ("feature", DbType.String), ("periodStart", DbType.Int64), ("periodEnd", DbType.Int64),
        ("kind", DbType.String), ("threshold", DbType.Int32), ("severity", DbType.String), ("used", DbType.Int64), ("limit", DbType.Int64),
        ("projectedAt", DbType.Int64), ("message", DbType.String), ("now", DbType.Int64));

    // Projections stay true for the rest of a period once they are; remembering which were written spares every later
    // consume an insert that would do nothing. Another node that does not know just tries once, harmlessly.
    private readonly ConcurrentDictionary<(string Customer, string Feature, long PeriodStart), byte> _projected = new();

    /// <summary>Call after <paramref name="added"/> units were added to used, with the counter as the update left it.</summary>
    internal async Task OnUsedAsync(BatchScope scope, EntitlementContext context, string feature, PlanFeature? grant, CounterState after, long added)
    {
        if (added <= 0 || grant is not { Kind: FeatureKind.Metered } || QuotaRules.Limit(grant, after.CarriedIn) is not { } limit || limit <= 0)
        {
            return;
        }

        var window = context.Window(grant);
        // One update that crosses several thresholds fires only the highest of them, and passing the limit outranks them
        // all: a quota of 2 used up at once gets one alert, not 80, 90, 100 and exceeded together.
        var crossed = UsageAlertRules.Crossed(grant.AlertThresholds, limit, after.Used - added, after.Used);
        // A hard cap is exceeded by the grant that uses it up (the refusals after it write nothing); a soft cap by the
        // update that goes past it, after which use is overage.
        var hardCap = QuotaRules.Enforced(grant);
        var passedLimit = hardCap ? after.Used - added < limit && after.Used >= limit : after.Used - added <= limit && after.Used > limit;
        var key = (context.CustomerId, feature, window.Start.ToUnixTimeMilliseconds());
        var projectedAt = UsageAlertRules.ProjectedExhaustion(window, scope.Now, after.Used, limit, grant.AlertThresholds);
        if (projectedAt is not null && _projected.ContainsKey(key))
        {
            projectedAt = null;
        }

        if (crossed.Count == 0 && projectedAt is null && !passedLimit)
        {
            return;
        }

        var defined = (await catalog.GetAsync(scope.CancellationToken)).Feature(feature);
        var unit = defined is { Unit.Length: > 0 } ? defined.Unit : defined?.Name ?? feature; // a feature without a unit is counted by its name
        if (passedLimit)
        {
            await FireAsync(scope, Exceeded(context.CustomerId, feature, window, after.Used, limit, unit, hardCap, scope.Now));
        }
        else if (crossed.Count > 0)
        {
            var threshold = crossed[^1];
            await FireAsync(scope, new UsageAlert(Ids.New("alr", time), context.CustomerId, feature, AlertKind.Threshold, threshold,
                UsageAlertRules.SeverityOf(threshold), after.Used, limit, UsageAlertRules.ThresholdMessage(after.Used, limit, unit, window),
                window.Start, window.End, null, scope.Now, null));
        }

        if (projectedAt is { } at)
        {
            if (_projected.Count > MaxRemembered)
            {
                _projected.Clear();
            }

            // Remembered only once committed: a batch that rolls back and retries must try the insert again.
            scope.AfterCommit(() => _projected[key] = 0);
            await FireAsync(scope, new UsageAlert(Ids.New("alr", time), context.CustomerId, feature, AlertKind.Projected, 0, AlertSeverity.Warning,
                after.Used, limit, UsageAlertRules.ProjectedMessage(limit, unit, at, window), window.Start, window.End, at,
                scope.Now, null));
        }
    }

    /// <summary>
    /// Call after <paramref name="spent"/> nano-USD of LLM cost were added to the budget counter of
    /// <paramref name="period"/>, with its total after: the highest of the quota thresholds (80/90/100 %) crossed fires
    /// once per period, with the <c>budget.threshold_crossed</c> webhook.
    /// </summary>
    internal async Task OnBudgetSpentAsync(BatchScope scope, string customer, string budgetCode, Core.Periods.BillingPeriod period, long budget,
        long totalAfter, long spent)
    {
        var crossed = spent > 0 && budget > 0 ? UsageAlertRules.Crossed(PlanFeature.DefaultThresholds, budget, totalAfter - spent, totalAfter) : [];
        if (crossed.Count == 0)
        {
            return;
        }

        var threshold = crossed[^1];
        await FireAsync(scope, new UsageAlert(Ids.New("alr", time), customer, budgetCode, AlertKind.Threshold, threshold,
            UsageAlertRules.SeverityOf(threshold), totalAfter, budget, UsageAlertRules.BudgetMessage(totalAfter, budget, period), period.Start,
            period.End, null, scope.Now, null), WebhookEventTypes.BudgetThresholdCrossed);
    }

    private UsageAlert Exceeded(string customer, string feature, Core.Periods.BillingPeriod window, long used, long limit, string unit, bool hardCap,
        DateTimeOffset now) =>
        new(Ids.New("alr", time), customer, feature, AlertKind.Exceeded, 0, AlertSeverity.Critical, used, limit,
            UsageAlertRules.ExceededMessage(limit, unit, hardCap, window), window.Start, window.End, null, now, null);

    private async Task FireAsync(BatchScope scope, UsageAlert alert, string? eventType = null)
    {
        var inserted = await scope.ExecuteAsync(Insert, alert.Id, alert.CustomerId, alert.FeatureCode, alert.PeriodStart.ToUnixTimeMilliseconds(),
            alert.PeriodEnd.ToUnixTimeMilliseconds(), AlertRow.KindText(alert.Kind), alert.Threshold, AlertRow.SeverityText(alert.Severity), alert.Used,
            alert.Limit, alert.ProjectedAt?.ToUnixTimeMilliseconds(), alert.Message, alert.CreatedAt.ToUnixTimeMilliseconds());
        if (inserted == 1)
        {
            var type = eventType ?? alert.Kind switch
            {
                AlertKind.Threshold => WebhookEventTypes.ThresholdCrossed,
                AlertKind.Exceeded => WebhookEventTypes.QuotaExceeded,
                _ => WebhookEventTypes.ProjectedExhaustion,
            };
            await WebhookOutbox.EnqueueAsync(scope.Connection, scope.Transaction, type, AlertPayload.Of(alert), scope.Now, time, scope.CancellationToken);
        }
    }
}

/// <summary>Reads and marks a customer's alerts.</summary>
public sealed class AlertStore(TollgateDatabase database, TimeProvider time)
{
    public const int MaxListed = 200;

    public Task<IReadOnlyList<UsageAlert>> ListAsync(string customerId, bool unreadOnly, int limit, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<UsageAlert>>(async c => [.. (await c.QueryAsync<AlertRow>(new CommandDefinition($"""
            SELECT {AlertRow.Columns} FROM usage_alerts WHERE customer_id = @customerId {(unreadOnly ? "AND read_at IS NULL" : "")}
            ORDER BY created_at DESC, threshold DESC, id DESC LIMIT @limit
            """, new { customerId, limit = (long)Math.Clamp(limit, 1, MaxListed) }, cancellationToken: cancellationToken))).Select(r => r.ToDomain())],
            cancellationToken);

    /// <summary>
    /// A customer's alerts newest first, a page at a time. The sort key folds the threshold under the millisecond, so
    /// alerts fired by one update keep their order (90 before 80) and still page by keyset.
    /// </summary>
    public Task<Page<UsageAlert>> PageAsync(string customerId, bool unreadOnly, PageRequest page, CancellationToken cancellationToken = default)
    {
        const string Key = "(created_at * 1000 + MIN_THRESHOLD)";
        var key = Key.Replace("MIN_THRESHOLD", $"{database.Dialect.Least}(threshold, 999)", StringComparison.Ordinal);
        var parameters = new DynamicParameters(new { customerId });
        Keyset.Bind(parameters, page);
        return database.ReadAsync(async c => Keyset.Cut((await c.QueryAsync<AlertRow>(new CommandDefinition($"""
            SELECT {key} AS sort_key, {AlertRow.Columns} FROM usage_alerts
            WHERE customer_id = @customerId {(unreadOnly ? "AND read_at IS NULL" : "")} AND {Keyset.After(page, key, "id", descending: true)}
            {Keyset.OrderBy(key, "id", descending: true)} LIMIT @page_limit
            """, parameters, cancellationToken: cancellationToken))).ToList(), page, r => new Cursor(r.SortKey, r.Id)).Select(r => r.ToDomain()),
            cancellationToken);
    }

    /// <summary>When each alert fired since <paramref name="from"/>, for the console's chart.</summary>
    public Task<IReadOnlyList<DateTimeOffset>> FiredSinceAsync(DateTimeOffset from, CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<DateTimeOffset>>(async c => [.. (await c.QueryAsync<long>(new CommandDefinition(
            "SELECT created_at FROM usage_alerts WHERE created_at >= @from", new { from = from.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken))).Select(DateTimeOffset.FromUnixTimeMilliseconds)], cancellationToken);

    /// <summary>
    /// Marks the alert read (once: a second call keeps the first time); null when there is no such alert, or when
    /// <paramref name="customerId"/> is given and the alert is someone else's.
    /// </summary>
    public Task<UsageAlert?> MarkReadAsync(string id, string? customerId = null, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            var owner = customerId is null ? "" : "AND customer_id = @customerId";
            await c.ExecuteAsync(new CommandDefinition($"UPDATE usage_alerts SET read_at = @now WHERE id = @id AND read_at IS NULL {owner}",
                new { id, customerId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
            return (await c.QuerySingleOrDefaultAsync<AlertRow>(new CommandDefinition(
                $"SELECT {AlertRow.Columns} FROM usage_alerts WHERE id = @id {owner}", new { id, customerId }, tx,
                cancellationToken: cancellationToken)))?.ToDomain();
        }, cancellationToken);
}

/// <summary>An alert as webhooks and the API show it.</summary>
public static class AlertPayload
{
    public static object Of(UsageAlert a) => new
    {
        a.Id, Customer = a.CustomerId, Feature = a.FeatureCode, a.Kind, a.Threshold, a.Severity, a.Used, a.Limit, a.Message, a.PeriodStart,
        a.PeriodEnd, a.ProjectedAt, a.CreatedAt, a.ReadAt,
    };
}

internal sealed class AlertRow
{
    public const string Columns =
        "id, customer_id, feature_code, period_start, period_end, kind, threshold, severity, used, limit_value, projected_at, message, created_at, read_at";

    public string Id { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string FeatureCode { get; set; } = "";
    public long PeriodStart { get; set; }
    public long PeriodEnd { get; set; }
    public string Kind { get; set; } = "";
    public long Threshold { get; set; }
    public string Severity { get; set; } = "";
    public long Used { get; set; }
    public long LimitValue { get; set; }
    public long? ProjectedAt { get; set; }
    public string Message { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? ReadAt { get; set; }

    /// <summary>The list's sort key, when a paged query selects it.</summary>
    public long SortKey { get; set; }

    public static string KindText(AlertKind kind) => kind.ToString().ToLowerInvariant();

    public static string SeverityText(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.Warning => "warning",
        _ => "info",
    };

    public UsageAlert ToDomain() => new(Id, CustomerId, FeatureCode, Enum.Parse<AlertKind>(Kind, ignoreCase: true), (int)Threshold,
        Severity switch { "critical" => AlertSeverity.Critical, "warning" => AlertSeverity.Warning, _ => AlertSeverity.Info }, Used, LimitValue, Message,
        Instant(PeriodStart), Instant(PeriodEnd), ProjectedAt is { } p ? Instant(p) : null, Instant(CreatedAt), ReadAt is { } r ? Instant(r) : null);

    private static DateTimeOffset Instant(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
