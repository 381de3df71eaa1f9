using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Client.Contracts;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;
using Tollgate.Server.Auth;
using Tollgate.Server.Hosting;
using Tollgate.Storage.Llm;

namespace Tollgate.Server.Llm;

/// <summary>Model prices: list, add, import (Tollgate's shape or LiteLLM's), and reprice a window after a correction.</summary>
public static class LlmPricesApi
{
    public const string DefaultsResource = "Tollgate.Server.Llm.default-llm-prices.json";

    public static RouteGroupBuilder MapLlmPrices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/llm").WithTags("LLM prices").RequireAuthorization(Policies.Admin);
        group.MapGet("/prices", ListAsync);
        group.MapPost("/prices", AddAsync);
        group.MapPost("/prices/import", ImportAsync);
        group.MapPost("/recompute", RecomputeAsync);
        return group;
    }

    /// <summary>Loads the default table on first start, when no price exists yet.</summary>
    public static async Task SeedDefaultsAsync(ModelPriceStore store, CancellationToken cancellationToken)
    {
        if (await store.AnyAsync(cancellationToken))
        {
            return;
        }

        using var stream = typeof(LlmPricesApi).Assembly.GetManifestResourceStream(DefaultsResource)!;
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var parsed = PriceDocument.Parse(document.RootElement, DateTimeOffset.UnixEpoch);
        if (parsed.Problems.Count > 0)
        {
            throw new InvalidOperationException("The default LLM price table is invalid: " + string.Join("; ", parsed.Problems));
        }

        await store.ImportAsync(parsed.Prices, cancellationToken);
    }

    private static async Task<Ok<IReadOnlyList<ModelPriceResponse>>> ListAsync(string? model, ModelPriceStore store, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(cancellationToken);
        var name = model is null ? null : PriceBook.Normalize(model);
        return TypedResults.Ok<IReadOnlyList<ModelPriceResponse>>([.. all.Where(p => name is null || p.Model == name || p.Model == PriceBook.WithoutVersion(name))
            .Select(LlmMapper.ToWire)]);
    }

    private static async Task<Results<Created<ModelPriceResponse>, Ok<ModelPriceResponse>, ProblemHttpResult>> AddAsync(
        JsonElement body, ModelPriceStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var problems = new List<DocumentProblem>();
        var price = PriceDocument.ParseOne(body, "", time.GetUtcNow(), problems);
        if (price is null || problems.Count > 0)
        {
            return Problems.Validation(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key.Length == 0 ? "body" : g.Key, g => g.First().Message));
        }

        // Built before the write, escaped: a header that cannot be sent must never follow a committed row.
        var location = $"/v1/admin/llm/prices?model={Uri.EscapeDataString(price.Model)}";
        var result = await store.ImportAsync([price], cancellationToken);
        if (result.Imported.Count == 0)
        {
            var current = (await store.BookAsync(cancellationToken)).Find(price.Model, price.EffectiveFrom)!;
            return TypedResults.Ok(LlmMapper.ToWire(current));
        }

        return TypedResults.Created(location, LlmMapper.ToWire(result.Imported[0]));
    }

    private static async Task<Results<Ok<PriceImportResponse>, ProblemHttpResult>> ImportAsync(
        JsonElement body, string? effective_from, ModelPriceStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>();
        var effective = Metrics.SaasStatsApi.ParseInstant(effective_from, "effective_from", errors) ?? time.GetUtcNow();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var parsed = PriceDocument.Parse(body, effective);
        if (parsed.Problems.Count > 0)
        {
            return Problems.Create(400, "invalid_price_table", $"The table has {parsed.Problems.Count} problem(s); nothing was imported.",
                new Dictionary<string, object?> { ["errors"] = parsed.Problems.Select(p => p.ToString()).ToList() });
        }

        var result = await store.ImportAsync(parsed.Prices, cancellationToken);
        return TypedResults.Ok(new PriceImportResponse([.. result.Imported.Select(LlmMapper.ToWire)], result.Unchanged, parsed.Skipped));
    }

    private static async Task<Results<Ok<RecomputeResponse>, ProblemHttpResult>> RecomputeAsync(
        RecomputeRequest request, LlmRecompute recompute, CancellationToken cancellationToken)
    {
        if (request.From >= request.To)
        {
            return Problems.Validation("from", "must be before to");
        }

        var result = await recompute.RunAsync(request.From, request.To, cancellationToken);
        return TypedResults.Ok(new RecomputeResponse(result.RowsExamined, result.RowsChanged, LlmMapper.Usd(result.CostBeforeNano),
            LlmMapper.Usd(result.CostAfterNano), LlmMapper.Usd(result.CostAfterNano - result.CostBeforeNano)));
    }
}
