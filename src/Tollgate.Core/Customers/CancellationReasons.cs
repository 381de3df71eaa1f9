namespace Tollgate.Core.Customers;

/// <summary>Why a customer cancels: Stripe's cancellation_details.feedback set, so reports line up with Stripe's.</summary>
public static class CancellationReasons
{
    /// <summary>The longest comment kept with a cancellation, in characters.</summary>
    public const int MaxCommentLength = 1000;

    public static readonly IReadOnlyList<string> All =
        ["too_expensive", "missing_features", "switched_service", "unused", "customer_service", "too_complex", "low_quality", "other"];

    /// <summary>The field and what is wrong with it, or null when both are fine (or absent).</summary>
    public static (string Field, string Problem)? Check(string? reason, string? comment) =>
        reason is not null && !All.Contains(reason) ? ("reason", $"must be one of {string.Join(", ", All)}")
        : comment is { Length: > MaxCommentLength } && Characters(comment) > MaxCommentLength ? ("comment", $"must be at most {MaxCommentLength} characters")
        : null;

    // Characters as a person counts them (Unicode scalar values), not UTF-16 units: an emoji is one, not two.
    private static int Characters(string text) => text.EnumerateRunes().Count();
}
