using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tollgate.Contracts;

/// <summary>
/// One model call to log. Token counts are disjoint: every token is in exactly one field (subtract OpenAI's cached
/// tokens from prompt_tokens and its reasoning tokens from completion_tokens; the SDK's handler does).
/// </summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Model">The model as the provider named it, such as gpt-4o-2024-08-06.</param>
/// <param name="Feature">The feature the call served, for per-feature cost.</param>
/// <param name="Provider">openai, anthropic, gemini… (taken from the price when left out).</param>
/// <param name="InputTokens">Uncached input tokens.</param>
/// <param name="OutputTokens">Output tokens, reasoning excluded.</param>
/// <param name="CachedInputTokens">Input tokens read from the prompt cache.</param>
/// <param name="CacheWriteTokens">Input tokens written to the prompt cache.</param>
/// <param name="CacheWrite1hTokens">How many of <paramref name="CacheWriteTokens"/> were written for an hour (Anthropic's
/// <c>cache_creation.ephemeral_1h_input_tokens</c>), priced at the model's one-hour write rate; at most CacheWriteTokens.</param>
/// <param name="ReasoningTokens">Reasoning (thinking) tokens.</param>
/// <param name="Requests">Billable requests, for search APIs.</param>
/// <param name="Images">Images generated.</param>
/// <param name="RequestId">The provider's id for the call (chatcmpl-…, msg_…): a retry with it counts once.</param>
/// <param name="Timestamp">When the call was made; it is priced at the price in effect then.</param>
/// <param name="Metadata">Anything to keep with the call.</param>
/// <param name="ReservationId">A budget hold taken before the call, settled to this call's cost.</param>
public sealed record LlmCallRequest(
    string Customer,
    string Model,
    string? Feature = null,
    string? Provider = null,
    long InputTokens = 0,
    long OutputTokens = 0,
    long CachedInputTokens = 0,
    long CacheWriteTokens = 0,
    long ReasoningTokens = 0,
    long Requests = 0,
    long Images = 0,
    string? RequestId = null,
    DateTimeOffset? Timestamp = null,
    IReadOnlyDictionary<string, JsonElement>? Metadata = null,
    string? ReservationId = null,
    // Left out when 0, so a server older than the field (which refuses fields it does not know) still logs the call.
    [property: JsonPropertyName("cache_write_1h_tokens"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long CacheWrite1hTokens = 0);

/// <summary>A batch of model calls for POST /v1/llm/usage.</summary>
/// <param name="Calls">The calls, at most 1000.</param>
public sealed record LlmBatchRequest(IReadOnlyList<LlmCallRequest> Calls);

/// <summary>A logged call's cost.</summary>
/// <param name="RequestId">The call's request id (generated when none was sent).</param>
/// <param name="Status">accepted or duplicate (a retry: counted once, answered with the first cost).</param>
/// <param name="CostUsd">The cost in USD.</param>
/// <param name="CostNanoUsd">The same, exactly, in nano-USD.</param>
/// <param name="Unpriced">True when no price matched the model: kept at cost 0 and counted in the stats.</param>
/// <param name="PriceId">The price row used.</param>
/// <param name="Plan">The plan the customer was on, snapshotted with the call.</param>
public sealed record LlmCallResponse(string RequestId, string Status, decimal CostUsd, long CostNanoUsd, bool Unpriced, string? PriceId, string? Plan);

/// <summary>What became of a batch of calls.</summary>
/// <param name="Accepted">Calls logged.</param>
/// <param name="Duplicates">Calls already logged before (counted once).</param>
/// <param name="Rejected">Calls refused, by index, with the field and reason.</param>
/// <param name="TotalCostUsd">Cost of the accepted calls.</param>
/// <param name="Calls">Each accepted or duplicate call's cost, in order.</param>
public sealed record LlmBatchResponse(int Accepted, int Duplicates, IReadOnlyList<RejectedLlmCall> Rejected, decimal TotalCostUsd,
    IReadOnlyList<LlmCallResponse> Calls);

/// <summary>A call that was not logged.</summary>
/// <param name="Index">Its position in the batch.</param>
/// <param name="RequestId">Its request id, when it had one.</param>
/// <param name="Reason">Why, naming the field.</param>
public sealed record RejectedLlmCall(int Index, string? RequestId, string Reason);

/// <summary>A model's prices from a date on: tokens in USD per million, requests and images in USD per unit.</summary>
/// <param name="Id">The price row's id.</param>
/// <param name="Model">The model name it matches exactly (and without a date suffix).</param>
/// <param name="Pattern">A glob it also matches, such as tavily*.</param>
/// <param name="Provider">The provider.</param>
/// <param name="EffectiveFrom">Calls from this instant on are priced with it.</param>
/// <param name="Input">Uncached input.</param>
/// <param name="Output">Output.</param>
/// <param name="CachedInput">Cache reads (input when left out).</param>
/// <param name="CacheWrite">Cache writes (input when left out).</param>
/// <param name="Reasoning">Reasoning tokens (output when left out).</param>
/// <param name="Request">Per request.</param>
/// <param name="Image">Per image.</param>
/// <param name="Tier">Higher prices above a number of prompt tokens.</param>
/// <param name="Source">Where the figures come from, and as of when.</param>
/// <param name="CacheWrite1h">Cache writes kept for an hour (the cache-write price, at least, when left out).</param>
public sealed record ModelPriceResponse(string Id, string Model, string? Pattern, string Provider, DateTimeOffset EffectiveFrom, decimal? Input,
    decimal? Output, decimal? CachedInput, decimal? CacheWrite, decimal? Reasoning, decimal? Request, decimal? Image, PriceTierResponse? Tier,
    string? Source, [property: JsonPropertyName("cache_write_1h")] decimal? CacheWrite1h = null);

/// <summary>Prices for prompts above a size.</summary>
/// <param name="AboveInputTokens">Prompt tokens (input, cached and cache-write) above which the tier applies to the whole call.</param>
/// <param name="Input">Input.</param>
/// <param name="Output">Output.</param>
/// <param name="CachedInput">Cache reads.</param>
/// <param name="CacheWrite">Cache writes.</param>
/// <param name="CacheWrite1h">Cache writes kept for an hour.</param>
public sealed record PriceTierResponse(long AboveInputTokens, decimal? Input, decimal? Output, decimal? CachedInput, decimal? CacheWrite,
    [property: JsonPropertyName("cache_write_1h")] decimal? CacheWrite1h = null);

/// <summary>The outcome of a price import.</summary>
/// <param name="Imported">Rows added.</param>
/// <param name="Unchanged">Models whose price in effect already said the same.</param>
/// <param name="Skipped">LiteLLM entries not read, and why.</param>
/// <param name="SkippedByKind">How many entries were skipped for each reason: per_second, per_character, per_image, per_page, no_price,
/// above_sanity_bound, duplicate, several_tiers, bad_name.</param>
public sealed record PriceImportResponse(IReadOnlyList<ModelPriceResponse> Imported, IReadOnlyList<string> Unchanged, IReadOnlyList<string> Skipped,
    IReadOnlyDictionary<string, int>? SkippedByKind = null);

/// <summary>Reprice the calls of a window after a price correction.</summary>
/// <param name="From">Window start (inclusive).</param>
/// <param name="To">Window end (exclusive).</param>
public sealed record RecomputeRequest(DateTimeOffset From, DateTimeOffset To);

/// <summary>What a recompute changed.</summary>
/// <param name="RowsExamined">Calls in the window.</param>
/// <param name="RowsChanged">Calls whose cost changed.</param>
/// <param name="CostBeforeUsd">Their total cost before.</param>
/// <param name="CostAfterUsd">Their total cost after.</param>
/// <param name="CostDeltaUsd">After minus before.</param>
public sealed record RecomputeResponse(long RowsExamined, long RowsChanged, decimal CostBeforeUsd, decimal CostAfterUsd, decimal CostDeltaUsd);

/// <summary>Hold an estimate of an LLM call's cost against the customer's budget.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="EstimateUsd">The most the call may cost.</param>
/// <param name="TtlSeconds">How long the hold lasts unless the call is logged against it.</param>
/// <param name="IdempotencyKey">A retry with the same key returns the first hold.</param>
public sealed record BudgetReserveRequest(string Customer, decimal EstimateUsd, int TtlSeconds = 300, string? IdempotencyKey = null);

/// <summary>A customer's LLM budget in its current window: the billing period, or the plan's <c>llm_budget_reset</c> window.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">Their plan.</param>
/// <param name="LimitUsd">The plan's budget per window; null when it has none.</param>
/// <param name="SpentUsd">Logged cost this window.</param>
/// <param name="ReservedUsd">Held by open reservations.</param>
/// <param name="RemainingUsd">What is left.</param>
/// <param name="PeriodStart">Start of the billing period.</param>
/// <param name="WindowStart">When the budget's window started: the billing period's start unless the plan resets the budget by day, week, month or year.</param>
/// <param name="ResetsAt">When the budget's window ends and the budget starts again.</param>
/// <param name="ReservationId">The hold's id, in the answer to a reserve.</param>
/// <param name="GrantedRemainingUsd">What the customer's live <c>$llm_budget</c> credit grants have left, spent once the plan's budget is.</param>
public sealed record BudgetResponse(string Customer, string? Plan, decimal? LimitUsd, decimal SpentUsd, decimal ReservedUsd, decimal? RemainingUsd,
    DateTimeOffset PeriodStart, DateTimeOffset WindowStart, DateTimeOffset ResetsAt, string? ReservationId = null, decimal GrantedRemainingUsd = 0);
