using System.Text.Json;

namespace Tollgate.Core.Billing;

/// <summary>A metric group's part of the overage units an invoice bills; <see cref="GroupKey"/> is its JSON object of group_by values.</summary>
public sealed record OverageGroup(string GroupKey, long Quantity);

/// <summary>
/// Overage of a metric feature with group_by, one line per group. The limit is on the total, so the overage is the
/// total's, and each group's part of it is what the line is split by, by the largest-remainder method (ties to the
/// earlier group in group-key order), so the group lines add up exactly to the line: its quantity (units, a tier's
/// units, or started packages, each whole) is split, and each group line's amount is its quantity times the unit price.
/// </summary>
public static class GroupedOverage
{
    public static IReadOnlyList<InvoiceLine> Split(InvoiceLine line, IReadOnlyList<OverageGroup> groups, string featureName, bool namedByFeature)
    {
        if (groups.Count == 0)
        {
            return [line];
        }

        var ordered = groups.OrderBy(g => g.GroupKey, StringComparer.Ordinal).ToList();
        var weights = ordered.Select(g => g.Quantity).ToList();
        // The line's quantity is split by the groups' parts either way, so the parts add up to it. A line that is quantity ×
        // unit price keeps that in each part; one that is not (a tier priced per 100 units, or with a flat fee) has its
        // amount split by the same parts, where each part once carried the group's whole overage as its quantity.
        var priced = line.IsQuantityTimesUnit;
        var quantities = Allot(line.Quantity, weights);
        var amounts = priced ? [.. quantities.Select(q => q * line.UnitAmountCents)] : Allot(line.AmountCents, weights);
        // A group whose share rounded to nothing gets no line of 0; the lines still add up to the whole.
        return [.. ordered.Select((g, i) => line with
        {
            Description = namedByFeature ? $"{featureName} ({Label(g.GroupKey)})" : $"{line.Description} ({Label(g.GroupKey)})",
            Quantity = quantities[i],
            AmountCents = amounts[i],
        }).Where(l => l.Quantity != 0 || l.AmountCents != 0)];
    }

    /// <summary>
    /// <paramref name="total"/> in shares proportional to <paramref name="weights"/>, in whole units that sum to it exactly:
    /// each takes the floor of its share, and the units left go one each to the largest remainders, earlier first on a tie.
    /// All weights zero: the first takes it all.
    /// </summary>
    public static long[] Allot(long total, IReadOnlyList<long> weights)
    {
        var shares = new long[weights.Count];
        Int128 sum = 0;
        foreach (var w in weights)
        {
            sum += Math.Max(0, w);
        }

        if (shares.Length == 0)
        {
            return shares;
        }

        if (sum == 0)
        {
            shares[0] = total;
            return shares;
        }

        var remainders = new Int128[weights.Count];
        long given = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            var exact = (Int128)total * Math.Max(0, weights[i]);
            shares[i] = (long)Int128.DivRem(exact, sum).Quotient;
            remainders[i] = exact - (Int128)shares[i] * sum;
            given += shares[i];
        }

        foreach (var i in Enumerable.Range(0, weights.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)(total - given)))
        {
            shares[i]++;
        }

        return shares;
    }

    // "7" or "true" as text would read as the number or flag, which group apart from it.
    private static bool ReadsAsLiteral(string text) => text is "true" or "false" or "null"
        || decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// "model: gpt-4o, region: eu" from {"model":"gpt-4o","region":"eu"}; a missing value reads "(none)". Two groups never
    /// read alike: a text that would read as the missing value, as nothing (""), as a number or flag, or that holds a quote
    /// (so it could read as a quoted one) is quoted, where
    /// "none" and a missing model made two lines named "model: none".
    /// </summary>
    public static string Label(string groupKey)
    {
        const string Missing = "(none)";
        using var json = JsonDocument.Parse(groupKey);
        return string.Join(", ", json.RootElement.EnumerateObject().Select(p => p.Name + ": " + p.Value.ValueKind switch
        {
            JsonValueKind.String when p.Value.GetString() is { Length: > 0 } text && text != Missing && text.Trim() == text && !ReadsAsLiteral(text)
                && !text.Contains('"', StringComparison.Ordinal) => text,
            JsonValueKind.String => p.Value.GetRawText(),
            JsonValueKind.Null => Missing,
            _ => p.Value.GetRawText(),
        }));
    }
}
