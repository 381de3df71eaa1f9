using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Contracts;
using Tollgate.Core.Json;
using Tollgate.Core.Llm;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Llm;

/// <summary>Model prices: list, add, import (Tollgate's shape or LiteLLM's), and reprice a window after a correction.</summary>
public static class LlmPricesApi
{
    public const string DefaultsResource = "Tollgate.Server.Llm.default-llm-prices.json";

    public static RouteGroupBuilder MapLlmPrices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/llm").WithTags("LLM prices").RequireAuthorization(Policies.Admin);
        group.MapGet("/prices", ListAsync);
        group.MapPost("/prices", AddAsync).AcceptsOneOf(typeof(OpenApi.Bodies.ModelPriceBody));
        // The one route allowed a body past the 1 MiB limit: LiteLLM's whole table (or send it gzipped).
        group.MapPost("/prices/import", ImportAsync).WithMetadata(new RequestSizeLimitAttribute(LlmPriceImport.MaxBytes))
            .AcceptsOneOf(typeof(OpenApi.Bodies.PriceTableBody), typeof(IReadOnlyDictionary<string, OpenApi.Bodies.LiteLlmModelBody>));
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

    /// <summary>Prices by model, then effective date; the whole table is small, so the page is cut from it by the keyset rule.</summary>
    private static async Task<Results<Ok<ListResponse<ModelPriceResponse>>, ProblemHttpResult>> ListAsync(
        string? model, string? limit, string? cursor, ModelPriceStore store, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("llm_prices", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var all = await store.ListAsync(cancellationToken);
        var name = model is null ? null : PriceBook.Normalize(model);
        // A name lists every row that could price it: the bare row and the provider-prefixed ones (azure/gpt-4o for gpt-4o).
        var full = model is null ? null : PriceBook.RowName(model);
        var matching = all.Where(p => name is null || p.Model == full
            || PriceBook.Normalize(p.Model) is var bare && (bare == name || bare == PriceBook.WithoutVersion(name)));
        // The sort text puts model, then date, then id in ordinal order; the cursor carries it whole.
        return TypedResults.Ok(Lists.ToWire(Keyset.Walk(matching, page,
            p => new Cursor(0, $"{p.Model}\n{p.EffectiveFrom.ToUnixTimeMilliseconds():D15}\n{p.Id}"), descending: false), LlmMapper.ToWire));
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
        HttpRequest request, string? effective_from, ModelPriceStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>();
        var effective = Metrics.SaasStatsApi.ParseInstant(effective_from, "effective_from", errors) ?? time.GetUtcNow();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var type = request.ContentType?.Split(';')[0].Trim() ?? "";
        var gzip = type is "application/gzip" or "application/x-gzip"
            || string.Equals(request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && !string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Create(415, "unsupported_media_type", "Send the table as application/json, gzipped (Content-Encoding: gzip) or not.");
        }

        JsonDocument document;
        try
        {
            var (table, problem) = await LlmPriceImport.ReadAsync(request.Body, gzip, cancellationToken);
            if (problem is not null)
            {
                return problem.ToResult();
            }

            document = table!;
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.Create(413, "body_too_large", $"A price table may be at most {LlmPriceImport.MaxBytes} bytes, after gzip.");
        }
        catch (InvalidDataException)
        {
            return Problems.Create(400, "invalid_gzip", "The body is not valid gzip.");
        }

        using (document)
        {
            var outcome = await LlmPriceImport.ApplyAsync(document.RootElement, effective, store, cancellationToken);
            return outcome.Report is { } report
                ? TypedResults.Ok(report)
                : Problems.Create(400, "invalid_price_table", $"The table has {outcome.Problems.Count} problem(s); nothing was imported.",
                    new Dictionary<string, object?> { ["errors"] = outcome.Problems.Select(p => p.ToString()).ToList() });
        }
    }

    private static async Task<Results<Ok<RecomputeResponse>, ProblemHttpResult>> RecomputeAsync(
        RecomputeRequest request, LlmRecompute recompute, CancellationToken cancellationToken)
    {
        if (request.From >= request.To)
        {
            return Problems.Validation("to", "must be after from"); // as every range of the API names it
        }

        var result = await recompute.RunAsync(request.From, request.To, cancellationToken);
        return TypedResults.Ok(new RecomputeResponse(result.RowsExamined, result.RowsChanged, LlmMapper.Usd(result.CostBeforeNano),
            LlmMapper.Usd(result.CostAfterNano), LlmMapper.Usd(result.CostAfterNano - result.CostBeforeNano)));
    }
}
