using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>
/// The catalog's <c>notify</c> block: <c>{"email": ["threshold", "invoice_paid", ...]}</c> names the e-mails customers
/// get. Without the block every kind is sent (once SMTP is configured); an empty list sends none.
/// </summary>
public static class CatalogNotify
{
    /// <summary>Every e-mail kind, in the order the export writes them.</summary>
    public static readonly IReadOnlyList<string> EmailKinds =
        ["threshold", "exceeded", "projected", "budget", "invoice_issued", "invoice_paid", "invoice_payment_failed", "trial_ending"];

    /// <summary>Reads <c>notify</c>; null when absent (every kind), the kinds in canonical order otherwise. Problems name their path.</summary>
    public static IReadOnlyList<string>? Read(ElementReader root, List<DocumentProblem> problems)
    {
        if (root.Raw("notify") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var notify = new ElementReader(element, root.Child("notify"), problems, "email");
        if (!notify.IsObject || !notify.Has("email"))
        {
            return null;
        }

        var kinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, path) in notify.Array("email", required: true, maxItems: EmailKinds.Count))
        {
            var kind = item.ValueKind == JsonValueKind.String ? item.GetString()! : null;
            if (kind is null || !EmailKinds.Contains(kind, StringComparer.Ordinal))
            {
                notify.Problem(path, $"must be one of {string.Join(", ", EmailKinds)}");
            }
            else if (!kinds.Add(kind))
            {
                notify.Problem(path, $"repeats '{kind}'");
            }
        }

        return [.. EmailKinds.Where(kinds.Contains)];
    }

    /// <summary>Writes <c>notify</c> when it says something other than the default (every kind).</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<string>? email)
    {
        if (email is null)
        {
            return;
        }

        w.WriteStartObject("notify");
        w.WriteStartArray("email");
        foreach (var kind in EmailKinds.Where(email.Contains))
        {
            w.WriteStringValue(kind);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
