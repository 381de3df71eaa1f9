using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Entitlements;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Entitlements;

/// <summary>The real-time decision: check, consume, and reserve then commit or release.</summary>
public static class EntitlementsApi
{
    public static RouteGroupBuilder MapEntitlements(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Entitlements").RequireAuthorization(Policies.Secret);
        group.MapPost("/entitlements/check", CheckAsync).ProducesProblems(404);
        group.MapPost("/entitlements/consume", ConsumeAsync).ProducesProblems(402, 404, 409, 429).WithMetadata(ReplaysAnswers.Instance);
        group.MapPost("/entitlements/reserve", ReserveAsync).ProducesProblems(402, 404, 409, 429).WithMetadata(ReplaysAnswers.Instance);
        group.MapPost("/reservations/{id}/commit", CommitAsync).ProducesProblems(402, 409, 429).WithMetadata(ReplaysAnswers.Instance);
        group.MapPost("/reservations/{id}/release", ReleaseAsync).ProducesProblems(409).WithMetadata(ReplaysAnswers.Instance);
        return group;
    }

    private static async Task<Results<Ok<EntitlementResponse>, ProblemHttpResult>> CheckAsync(
        CheckRequest request, EntitlementStore store, CatalogCache catalog, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var problem = Invalid(snapshot, request.Customer, request.Feature, request.Amount, null, consuming: false);
        if (problem is not null)
        {
            return problem;
        }

        string? distinct = null;
        if (request.Value is { ValueKind: not JsonValueKind.Null } value)
        {
            // As an event's property is refused: 1e309 read as its text would be a user no event could ever name.
            if (value.ValueKind is JsonValueKind.Number && !value.TryGetDecimal(out _))
            {
                return Problems.Validation("value", "must be a number of at most 28 significant digits");
            }

            distinct = value.ValueKind is JsonValueKind.String && value.GetString()!.Length > 256 ? null : BillableMetric.DistinctValue(value);
            if (distinct is null)
            {
                return Problems.Validation("value", "must be a string of at most 256 characters, a number or a boolean");
            }
        }

        var metrics = distinct is null ? [] : snapshot.Metrics;
        var outcome = await store.CheckAsync(request.Customer, request.Feature, request.Amount, distinct, metrics, cancellationToken);
        return outcome is UsageOutcome.Decided decided
            ? TypedResults.Ok(EntitlementMapper.ToWire(decided.Decision))
            : Problems.NotFound("customer", request.Customer);
    }

    private static async Task<Results<Ok<EntitlementResponse>, ProblemHttpResult>> ConsumeAsync(
        ConsumeRequest request, [FromHeader(Name = TollgateHeaders.IdempotencyKey)] string? headerKey, HttpContext http, EntitlementStore store,
        CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var key = request.IdempotencyKey ?? headerKey;
        // The request's one read of the catalog: the checks, the decision and the answer all use this snapshot.
        var snapshot = await catalog.GetAsync(cancellationToken);
        var problem = Invalid(snapshot, request.Customer, request.Feature, request.Amount, key, consuming: true)
            ?? KeyConflict(request.IdempotencyKey, headerKey) ?? BadMetadata(request.Metadata);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await store.ConsumeAsync(new ConsumeCommand(request.Customer, request.Feature, request.Amount, key,
            UsageMetadata.ToJson(request.Metadata)), snapshot, cancellationToken);
        return Respond(http, "consume", started, outcome, snapshot, time,
            d => TypedResults.Ok(EntitlementMapper.ToWire(d.Decision)), await HoldsLapseAsync(http, outcome, request.Customer, cancellationToken));
    }

    private static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> ReserveAsync(
        ReserveRequest request, [FromHeader(Name = TollgateHeaders.IdempotencyKey)] string? headerKey, HttpContext http, EntitlementStore store,
        CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var key = request.IdempotencyKey ?? headerKey;
        var snapshot = await catalog.GetAsync(cancellationToken);
        var problem = Invalid(snapshot, request.Customer, request.Feature, request.Amount, key, consuming: true)
            ?? KeyConflict(request.IdempotencyKey, headerKey)
            ?? (request.TtlSeconds is < 1 or > 86_400 ? Problems.Validation("ttl_seconds", "must be from 1 to 86400") : null)
            ?? BadMetadata(request.Metadata);
        if (problem is not null)
        {
            return problem;
        }

        var ttl = TimeSpan.FromSeconds(request.TtlSeconds);
        var outcome = await store.ReserveAsync(new ReserveCommand(request.Customer, request.Feature, request.Amount, ttl, key,
            UsageMetadata.ToJson(request.Metadata)), snapshot, cancellationToken);
        return Respond(http, "reserve", started, outcome, snapshot, time,
            d => TypedResults.Ok(new ReservationResponse(d.ReservationId, d.ExpiresAt, EntitlementMapper.ToWire(d.Decision))),
            await HoldsLapseAsync(http, outcome, request.Customer, cancellationToken));
    }

    private static async Task<Results<Ok<EntitlementResponse>, ProblemHttpResult>> CommitAsync(
        string id, CommitReservationRequest request, HttpContext http, Reservations reservations, CatalogCache catalog, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (Validate.Amount(request.Amount, min: 0) is { } bad)
        {
            return Problems.Validation("amount", bad);
        }

        var outcome = await reservations.CommitAsync(id, request.Amount);
        return Respond(http, "commit", started, outcome, await catalog.GetAsync(cancellationToken), time,
            d => TypedResults.Ok(EntitlementMapper.ToWire(d.Decision)));
    }

    private static async Task<Results<Ok<EntitlementResponse>, ProblemHttpResult>> ReleaseAsync(
        string id, HttpContext http, Reservations reservations, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await reservations.ReleaseAsync(id);
        return Respond(http, "release", started, outcome, await catalog.GetAsync(cancellationToken), time,
            d => TypedResults.Ok(EntitlementMapper.ToWire(d.Decision)));
    }

    /// <summary>
    /// For a hard-cap refusal that holds alone may cause (units are held, and some of the quota is not yet used), when the
    /// first hold lapses; null otherwise. An allowed consume reads nothing more and allocates nothing for it.
    /// </summary>
    private static ValueTask<DateTimeOffset?> HoldsLapseAsync(HttpContext http, UsageOutcome outcome, string customer, CancellationToken ct) =>
        outcome is UsageOutcome.Decided { Decision: { Allowed: false, Reason: DecisionReason.QuotaExceeded, Reserved: > 0 } d } && d.Used < d.Limit
            ? new(http.RequestServices.GetRequiredService<Reservations>().FirstHoldLapsesAtAsync(d.Customer ?? customer, d.Feature, ct))
            : default;

    private static Results<Ok<T>, ProblemHttpResult> Respond<T>(
        HttpContext http, string operation, long started, UsageOutcome outcome, CatalogSnapshot snapshot, TimeProvider time,
        Func<UsageOutcome.Decided, Ok<T>> granted, DateTimeOffset? holdsLapseAt = null)
    {
        switch (outcome)
        {
            case UsageOutcome.Decided decided:
                var reason = DecisionReasonNames.ToWire(decided.Decision.Reason);
                http.RequestServices.GetRequiredService<DecisionTelemetry>().Report(operation, started, decided.Decision.Feature, reason, decided.Replayed);
                if (decided.Replayed)
                {
                    TollgateHeaders.MarkReplayed(http);
                }

                if (decided.Decision.Allowed)
                {
                    EntitlementMapper.RateLimitHeaders(http, decided.Decision, time);
                    return granted(decided);
                }

                return EntitlementMapper.Denied(http, decided.Decision, snapshot.UpgradeUrl ?? "/pricing", time, holdsLapseAt);
            case UsageOutcome.MetricFeature metric:
                return Problems.Create(400, "metric_feature",
                    $"This feature counts metric '{metric.Metric}' over events: send them to POST /v1/events with event and properties; consume and reserve do not apply.",
                    new Dictionary<string, object?> { ["metric"] = metric.Metric });
            case UsageOutcome.CustomerNotFound:
                return Problems.Create(404, "not_found", "No such customer: create it with PUT /v1/customers/{id} first.",
                    new Dictionary<string, object?> { ["resource"] = "customer" });
            case UsageOutcome.ReservationNotFound:
                return Problems.Create(404, "not_found", "No such reservation.", new Dictionary<string, object?> { ["resource"] = "reservation" });
            case UsageOutcome.Overloaded overloaded:
                return Overloaded(http, overloaded);
            case UsageOutcome.ReservationConflict conflict:
                return Problems.Create(409, "reservation_not_held", conflict.Detail, new Dictionary<string, object?> { ["reservation_status"] = conflict.Status });
            default:
                return Problems.Create(409, "idempotency_mismatch",
                    "This idempotency key was used for a different request; use a new key for a new request.");
        }
    }

    /// <summary>503 with Retry-After: the node's commit queue is full and nothing was written; the client retries later.</summary>
    internal static ProblemHttpResult Overloaded(HttpContext http, UsageOutcome.Overloaded overloaded) =>
        Problems.Overloaded(http, overloaded.RetryAfter);

    /// <summary>Checks the fields and that the feature exists and can be used this way; null when the request is fine.</summary>
    private static ProblemHttpResult? Invalid(CatalogSnapshot snapshot, string customer, string feature, long amount, string? key, bool consuming)
    {
        var errors = Validate.Errors(("customer", Validate.Id(customer)), ("feature", Validate.Id(feature)),
            ("amount", Validate.Amount(amount)), ("idempotency_key", Validate.IdempotencyKey(key)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var known = snapshot.Feature(feature);
        if (known is null)
        {
            return Problems.Create(404, "not_found", $"No feature '{feature}' in the catalog.", new Dictionary<string, object?> { ["resource"] = "feature" });
        }

        return consuming && known.Kind == FeatureKind.Value
            ? Problems.Create(400, "feature_not_consumable", $"'{feature}' is a value feature: read it with check or the entitlements list.")
            : null;
    }

    private static ProblemHttpResult? BadMetadata(IReadOnlyDictionary<string, string>? metadata) =>
        UsageMetadata.Check(metadata) is { } bad ? Problems.Validation(bad.Field, bad.Problem) : null;

    private static ProblemHttpResult? KeyConflict(string? bodyKey, string? headerKey) =>
        bodyKey is not null && headerKey is not null && bodyKey != headerKey
            ? Problems.Validation("idempotency_key", $"differs from the {TollgateHeaders.IdempotencyKey} header")
            : null;
}
