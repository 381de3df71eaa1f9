namespace Tollgate.Core.Taxes;

/// <summary>Which rates a customer's invoice applies.</summary>
public static class TaxMatching
{
    /// <summary>
    /// None for an exempt or reverse-charge customer. Otherwise the customer's own rates when the operator set any (those
    /// still active, in the order set), else every active rate for the customer's country whose state, when it has one, is
    /// the customer's: a US/TX customer pays the TX rate and a US-wide one, never CA's. Codes compare without regard to case,
    /// and an address may name its state in full (<see cref="SubdivisionCodes.Of"/>).
    /// </summary>
    public static IReadOnlyList<TaxRate> Applicable(IEnumerable<TaxRate> rates, TaxProfile profile)
    {
        if (profile.Exempt != "none")
        {
            return [];
        }

        var active = rates.Where(r => r.Active).ToList();
        if (profile.RateIds.Count > 0)
        {
            return [.. profile.RateIds.Distinct(StringComparer.Ordinal).Select(id => active.FirstOrDefault(r => r.Id == id)).OfType<TaxRate>()];
        }

        if (profile.Country is null)
        {
            return [];
        }

        // The address's state as a code: a customer in "Texas" pays the TX rate, as one in "TX" does.
        var state = SubdivisionCodes.Of(profile.Country, profile.State) ?? profile.State;
        return [.. active
            .Where(r => Same(r.Country, profile.Country) && (r.State is null || Same(r.State, state)))
            .OrderBy(r => r.State is null ? 0 : 1).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    private static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
}
