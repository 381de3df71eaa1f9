using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Llm;
using Tollgate.Server.Http;
using Tollgate.Server.Llm;
using Tollgate.Server.Entitlements;

namespace Tollgate.Server.History;

/// <summary>
/// The raw logs, newest first: LLM calls and usage events. Secret keys serve one customer's product, so they must name
/// the customer (or one of its members); only an admin key reads across customers.
/// </summary>
public static class CallLogApi
{
    private const int MaxDays = 366;

    public static IEndpointRouteBuilder MapCallLogs(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/llm/calls", CallsAsync).WithTags("LLM usage").RequireAuthorization(Policies.Secret);
        app.MapGet("/v1/events", EventsAsync).WithTags("Events").RequireAuthorization(Policies.Secret);
        return app;
    }

    private static async Task<Results<Ok<ListResponse<LlmCallRecordResponse>>, ProblemHttpResult>> CallsAsync(
        string? customer, string? feature, string? model, string? provider, string? from, string? to, string? member, string? limit, string? cursor,
        ClaimsPrincipal user, LlmCallLog log, CancellationToken cancellationToken)
    {
        if (Check("llm_calls", customer, member, from, to, limit, cursor, user, out var range, out var page) is { } problem)
        {
            return problem;
        }

        var found = await log.PageAsync(new LlmCallFilter(customer, feature, model, provider, range.From, range.To, member), page, cancellationToken);
        return TypedResults.Ok(Lists.ToWire(found, ToWire));
    }

    private static async Task<Results<Ok<ListResponse<RecordedEventResponse>>, ProblemHttpResult>> EventsAsync(
        string? customer, string? feature, string? from, string? to, string? member, string? limit, string? cursor, ClaimsPrincipal user,
        UsageHistory history, CancellationToken cancellationToken)
    {
        if (Check("events", customer, member, from, to, limit, cursor, user, out var range, out var page) is { } problem)
        {
            return problem;
        }

        var found = await history.EventsAsync(new EventFilter(customer, feature, range.From, range.To, member), page, cancellationToken);
        return TypedResults.Ok(Lists.ToWire(found, e => new RecordedEventResponse(e.Id, e.CustomerId, e.FeatureCode, e.Amount, e.OccurredAt, e.ReceivedAt,
            Json(e.PropertiesJson), Strings(e.MetadataJson), e.Source, e.MemberId)));
    }

    private static ProblemHttpResult? Check(
        string list, string? customer, string? member, string? from, string? to, string? limit, string? cursor, ClaimsPrincipal user, out InstantRange range,
        out Storage.Database.PageRequest page)
    {
        var errors = InstantRange.TryParse(from, to, MaxDays, out range);
        if (customer is null && member is null && !user.IsInRole("admin"))
        {
            errors["customer"] = "is required with a secret key (or member); only an admin key reads across customers";
        }
        else if (customer is not null && Validate.Id(customer) is { } bad)
        {
            errors["customer"] = bad;
        }

        if (member is not null && Validate.Id(member) is { } badMember)
        {
            errors["member"] = badMember;
        }

        page = Storage.Database.PageRequest.First;
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return Lists.TryRead(list, limit, cursor, out page, out var problem) ? null : problem;
    }

    public static LlmCallRecordResponse ToWire(LoggedLlmCall c) => new(c.CustomerId, c.RequestId, c.FeatureCode, c.Model, c.Provider, c.PriceId,
        new LlmTokens(c.InputTokens, c.OutputTokens, c.CachedInputTokens, c.CacheWriteTokens, c.ReasoningTokens, c.CacheWrite1hTokens), c.Requests, c.Images,
        NanoUsdAmount.ToUsd(c.CostNano), c.CostNano, c.Unpriced, c.PlanCode, c.PlanVersionId, c.OccurredAt, c.ReceivedAt, Json(c.MetadataJson), c.MemberId);

    private static Dictionary<string, string>? Strings(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json);

    private static Dictionary<string, JsonElement>? Json(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json);
}
