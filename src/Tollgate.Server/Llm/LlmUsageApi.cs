using Tollgate.Core.Entitlements;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Llm;
using Tollgate.Server.Entitlements;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Llm;

/// <summary>Logging model calls (one or a batch), and holding LLM budget before a call.</summary>
public static class LlmUsageApi
{
    public const int MaxCalls = 1000;

    public static RouteGroupBuilder MapLlmUsage(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("LLM usage").RequireAuthorization(Policies.Secret);
        group.MapPost("/llm/usage", LogAsync).AcceptsOneOf(typeof(LlmCallRequest), typeof(LlmBatchRequest))
            .ProducesOneOf(200, typeof(LlmCallResponse), typeof(LlmBatchResponse)).ProducesProblems(404, 409, 422);
        group.MapPost("/llm/budget/reserve", ReserveAsync).ProducesProblems(404, 409, 429);
        group.MapGet("/customers/{id}/llm-budget", BudgetAsync);
        return group;
    }

    private static async Task<IResult> LogAsync(
        JsonElement body, LlmUsageStore store, CatalogCache catalog, TimeProvider time, Observability.TollgateMetrics metrics,
        CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("calls", out var calls))
        {
            // A batch holds only its calls: a misspelt or misplaced field is refused here as in a single call.
            if (body.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => name != "calls") is { } unknown)
            {
                return Problems.Validation(unknown, "unknown field; a batch is {\"calls\": [...]} and nothing else");
            }

            return await LogBatchAsync(calls, store, snapshot, now, time, metrics);
        }

        var (call, problems) = LlmCallParser.Parse(0, body, "", snapshot, now, time);
        if (call is null)
        {
            return Problems.Validation(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key.Length == 0 ? "body" : g.Key, g => g.First().Message));
        }

        var result = (await store.LogAsync([call]))[0];
        Counted(metrics, [result]);
        return result.Status switch
        {
            LlmCallStatus.Rejected when result.Status4xx == 404 => Problems.NotFound("customer", call.CustomerId),
            LlmCallStatus.Rejected when result.Status4xx == 409 => Problems.Create(409, "request_id_conflict",
                $"request_id '{call.RequestId}' {result.Reason}; use a new request_id for a new call."),
            LlmCallStatus.Rejected => Problems.Create(422, "unpriced_model", $"{result.Field}: {result.Reason}"),
            _ => TypedResults.Ok(LlmMapper.ToWire(result)),
        };
    }

    private static async Task<IResult> LogBatchAsync(
        JsonElement calls, LlmUsageStore store, CatalogSnapshot snapshot, DateTimeOffset now, TimeProvider time, Observability.TollgateMetrics metrics)
    {
        if (calls.ValueKind != JsonValueKind.Array)
        {
            return Problems.Validation("calls", "must be an array");
        }

        if (calls.GetArrayLength() > MaxCalls)
        {
            return Problems.Validation("calls", $"must have at most {MaxCalls} items; send the rest in another request");
        }

        var valid = new List<LlmCallCommand>();
        var rejected = new List<RejectedLlmCall>();
        var index = 0;
        foreach (var element in calls.EnumerateArray())
        {
            var (call, problems) = LlmCallParser.Parse(index, element, $"calls[{index}]", snapshot, now, time);
            if (call is null)
            {
                var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("request_id", out var r) && r.ValueKind == JsonValueKind.String
                    ? r.GetString() : null;
                rejected.Add(new RejectedLlmCall(index, id, string.Join("; ", problems)));
            }
            else
            {
                valid.Add(call);
            }

            index++;
        }

        var results = await store.LogAsync(valid);
        Counted(metrics, results);
        rejected.AddRange(results.Where(r => r.Status == LlmCallStatus.Rejected)
            .Select(r => new RejectedLlmCall(r.Index, r.RequestId, $"calls[{r.Index}].{r.Field}: {r.Reason}")));
        var logged = results.Where(r => r.Status != LlmCallStatus.Rejected).ToList();
        return TypedResults.Ok(new LlmBatchResponse(
            logged.Count(r => r.Status == LlmCallStatus.Accepted),
            logged.Count(r => r.Status == LlmCallStatus.Duplicate),
            [.. rejected.OrderBy(r => r.Index)],
            LlmMapper.Usd(logged.Where(r => r.Status == LlmCallStatus.Accepted).Sum(r => r.CostNano)),
            [.. logged.Select(LlmMapper.ToWire)]));
    }

    private static void Counted(Observability.TollgateMetrics metrics, IEnumerable<LlmCallResult> results)
    {
        foreach (var result in results.Where(r => r.Status == LlmCallStatus.Accepted))
        {
            metrics.LlmCall(result.Unpriced ? null : result.CostNano);
        }
    }

    private static async Task<Results<Ok<BudgetResponse>, ProblemHttpResult>> ReserveAsync(
        BudgetReserveRequest request, HttpContext http, EntitlementStore store, CatalogCache catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(("customer", Validate.Id(request.Customer)),
            ("estimate_usd", request.EstimateUsd is > 0 and <= 1_000_000 && NanoUsdAmount.TryFromUsd(request.EstimateUsd, out _)
                ? null : "must be above 0, at most 1,000,000, with at most 9 decimals"),
            ("ttl_seconds", request.TtlSeconds is >= 1 and <= 86_400 ? null : "must be from 1 to 86400"),
            ("idempotency_key", Validate.IdempotencyKey(request.IdempotencyKey)));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        NanoUsdAmount.TryFromUsd(request.EstimateUsd, out var estimate);
        var outcome = await store.ReserveBudgetAsync(request.Customer, estimate, TimeSpan.FromSeconds(request.TtlSeconds), request.IdempotencyKey,
            cancellationToken);
        switch (outcome)
        {
            case UsageOutcome.Decided { Decision.Allowed: true } granted:
                var state = await store.BudgetAsync(request.Customer, cancellationToken);
                return TypedResults.Ok(ToWire(request.Customer, state!.Value.Context, state.Value.Budget) with { ReservationId = granted.ReservationId });
            case UsageOutcome.Decided denied:
                var snapshot = await catalog.GetAsync(cancellationToken);
                var d = denied.Decision;
                return EntitlementMapper.Denied(http, d with { Budget = new Core.Entitlements.BudgetState(d.Limit ?? 0, d.Used, d.Reserved, d.GrantedRemaining ?? 0) },
                    snapshot.UpgradeUrl ?? "/pricing", time);
            case UsageOutcome.IdempotencyMismatch:
                return Problems.Create(409, "idempotency_mismatch",
                    "This idempotency key was used for a different request; use a new key for a new request.");
            case UsageOutcome.Overloaded overloaded:
                return Entitlements.EntitlementsApi.Overloaded(http, overloaded);
            default:
                return Problems.NotFound("customer", request.Customer);
        }
    }

    private static async Task<Results<Ok<BudgetResponse>, ProblemHttpResult>> BudgetAsync(
        string id, EntitlementStore store, CancellationToken cancellationToken) =>
        await store.BudgetAsync(id, cancellationToken) is { } state
            ? TypedResults.Ok(ToWire(id, state.Context, state.Budget))
            : Problems.NotFound("customer", id);

    private static BudgetResponse ToWire(string customer, Core.Entitlements.EntitlementContext context, Core.Entitlements.BudgetState? budget)
    {
        var window = LlmBudget.Window(context);
        return new(customer, context.PlanCode, LlmMapper.Usd(budget?.LimitNano), LlmMapper.Usd(budget?.SpentNano ?? 0),
            LlmMapper.Usd(budget?.ReservedNano ?? 0), LlmMapper.Usd(budget?.RemainingNano), context.Period.Start, window.Start,
            window.End, GrantedRemainingUsd: LlmMapper.Usd(budget?.GrantedRemainingNano ?? 0));
    }
}
