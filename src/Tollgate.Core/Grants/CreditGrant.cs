namespace Tollgate.Core.Grants;

/// <summary>
/// Units of a metered feature (or nano-USD of the LLM budget) given to a customer beyond the plan's limit. A grant is
/// spent after the window's plan allowance and before soft-cap overage; it stops counting exactly at <see cref="ExpiresAt"/>.
/// </summary>
public sealed record CreditGrant(
    string Id,
    string CustomerId,
    string Feature,
    long Amount,
    long Used,
    DateTimeOffset? ExpiresAt,
    int Priority,
    string? Reason,
    string? PackCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? VoidedAt)
{
    /// <summary>Stripe's credit grants take 0–100, lower first; ours default to the middle.</summary>
    public const int DefaultPriority = 50;

    public long Remaining => Amount - Used;

    public bool IsActive(DateTimeOffset now) => VoidedAt is null && (ExpiresAt is not { } end || now < end) && Remaining > 0;

    public string Status(DateTimeOffset now) =>
        VoidedAt is not null ? "voided"
        : ExpiresAt is { } end && now >= end ? "expired"
        : Remaining == 0 ? "used"
        : "active";
}

/// <summary>Units taken from one grant by one consume.</summary>
public readonly record struct GrantTake(string GrantId, long Amount);

/// <summary>The order grants are spent in, and how a need is split across them.</summary>
public static class GrantDrawing
{
    /// <summary>Lower priority number first, then the earliest expiry (a grant that never expires last), then the oldest.</summary>
    public static IEnumerable<CreditGrant> InOrderOfUse(IEnumerable<CreditGrant> grants) =>
        grants.OrderBy(g => g.Priority).ThenBy(g => g.ExpiresAt ?? DateTimeOffset.MaxValue).ThenBy(g => g.CreatedAt).ThenBy(g => g.Id, StringComparer.Ordinal);

    /// <summary>
    /// Takes up to <paramref name="need"/> units from the active grants in order of use, never more than a grant has left.
    /// The takes sum to less than the need when the grants run out; a hard cap then refuses the whole consume.
    /// </summary>
    public static IReadOnlyList<GrantTake> Plan(IEnumerable<CreditGrant> grants, long need, DateTimeOffset now)
    {
        var takes = new List<GrantTake>();
        foreach (var grant in InOrderOfUse(grants.Where(g => g.IsActive(now))))
        {
            if (need <= 0)
            {
                break;
            }

            var take = Math.Min(need, grant.Remaining);
            takes.Add(new GrantTake(grant.Id, take));
            need -= take;
        }

        return takes;
    }
}
