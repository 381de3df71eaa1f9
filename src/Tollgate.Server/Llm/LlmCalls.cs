using Tollgate.Core.Llm;

namespace Tollgate.Server.Llm;

/// <summary>One model call to log, already checked for shape.</summary>
public sealed record LlmCallCommand(
    int Index,
    string CustomerId,
    string? FeatureCode,
    string Model,
    string? Provider,
    LlmUsage Usage,
    string RequestId,
    DateTimeOffset Timestamp,
    string? MetadataJson,
    string? ReservationId);

public enum LlmCallStatus
{
    Accepted,
    Duplicate,
    Rejected,
}

/// <summary>What became of one logged call: its cost (nano-USD), or why it was refused.</summary>
public sealed record LlmCallResult(
    int Index,
    string RequestId,
    LlmCallStatus Status,
    long CostNano,
    bool Unpriced,
    string? PriceId,
    string? Plan,
    string? Field = null,
    string? Reason = null,
    int? Status4xx = null);
