using System.Collections;
using System.Globalization;
using System.Text;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe's form encoding: a nested value becomes bracketed keys (<c>metadata[k]=v</c>, <c>line_items[0][price]=p</c>),
/// as Stripe's own SDKs send it. Nulls are left out, an empty list is sent as <c>key=</c>, booleans are lower case and
/// instants are Unix seconds. Brackets stay literal in keys, which Stripe accepts and which keeps the body readable.
/// </summary>
public static class StripeForm
{
    /// <summary>The flattened pairs, in order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Flatten(IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in parameters)
        {
            Add(pairs, key, value);
        }

        return pairs;
    }

    public static string Encode(IEnumerable<KeyValuePair<string, object?>> parameters) =>
        string.Join('&', Flatten(parameters).Select(p => $"{EscapeKey(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    private static void Add(List<KeyValuePair<string, string>> pairs, string key, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                pairs.Add(new(key, text));
                return;
            case bool flag:
                pairs.Add(new(key, flag ? "true" : "false"));
                return;
            case DateTimeOffset instant:
                pairs.Add(new(key, instant.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
                return;
            case IFormattable number:
                pairs.Add(new(key, number.ToString(null, CultureInfo.InvariantCulture)));
                return;
            case IDictionary map:
                foreach (DictionaryEntry entry in map)
                {
                    Add(pairs, $"{key}[{Convert.ToString(entry.Key, CultureInfo.InvariantCulture)}]", entry.Value);
                }

                return;
            case IEnumerable list:
                var index = 0;
                foreach (var item in list)
                {
                    Add(pairs, $"{key}[{index++}]", item);
                }

                if (index == 0)
                {
                    pairs.Add(new(key, "")); // a form cannot say "empty list"; Stripe reads an empty value as one
                }

                return;
            default:
                throw new ArgumentException($"{key}: {value.GetType().Name} has no form encoding", nameof(value));
        }
    }

    private static string EscapeKey(string key) =>
        new StringBuilder(Uri.EscapeDataString(key)).Replace("%5B", "[").Replace("%5D", "]").ToString();
}
