using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>The catalog's <c>packs</c> list: read with path-named problems, written in code order.</summary>
public static class CatalogPacks
{
    public const long MaxAmount = 1_000_000_000_000;
    public const int MaxExpiryDays = 3650;

    /// <summary>Reads <c>packs</c>; empty when absent. A pack's feature must be a metered feature of this document.</summary>
    public static IReadOnlyList<CreditPack> Read(ElementReader root, IReadOnlyDictionary<string, Feature> features, List<DocumentProblem> problems)
    {
        var packs = new List<CreditPack>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var prices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (element, path) in root.Array("packs", required: false, maxItems: 100))
        {
            var r = new ElementReader(element, path, problems, "code", "name", "feature", "amount", "price_cents", "currency", "expires_after_days",
                "stripe_price_id", "currency_options");
            var code = r.String("code", required: true, 64, CatalogDocument.Code(), CatalogDocument.CodeHint);
            var name = r.String("name", required: true);
            var feature = r.String("feature", required: true, 64, CatalogDocument.Code(), CatalogDocument.CodeHint);
            var amount = r.Integer("amount", required: true, 1, MaxAmount);
            var price = r.Integer("price_cents", required: true, 0, CatalogDocument.MaxPriceCents);
            // Packs mirror Stripe prices, whose currency is lowercase; the catalog keeps capitals, as plan prices have them.
            var currency = CatalogDocument.IsoCurrency(r,
                r.String("currency", required: true, 3, CatalogDocument.AnyCaseCurrencyCode(), "must be an ISO 4217 code, such as USD or usd"))
                ?.ToUpperInvariant();
            var expires = r.Integer("expires_after_days", required: false, 1, MaxExpiryDays);
            var stripePrice = r.String("stripe_price_id", required: false, 255);
            if (feature is not null && (!features.TryGetValue(feature, out var f) || f.Kind != FeatureKind.Metered))
            {
                r.Problem(r.Child("feature"), $"must name a metered feature in this document: '{feature}'");
                feature = null;
            }

            if (code is not null && !seen.Add(code))
            {
                r.Problem(r.Child("code"), $"duplicates pack '{code}'");
                continue;
            }

            if (stripePrice is not null && !prices.Add(stripePrice))
            {
                r.Problem(r.Child("stripe_price_id"), $"is the stripe_price_id of another pack: '{stripePrice}'");
                continue;
            }

            var options = PackCurrencyOptions.Read(r, currency, prices);
            if (code is not null && name is not null && feature is not null && amount is not null && price is not null && currency is not null
                && options is not null)
            {
                packs.Add(new CreditPack(code, name, feature, amount.Value, price.Value, currency, (int?)expires, stripePrice) { CurrencyOptions = options });
            }
        }

        return [.. packs.OrderBy(p => p.Code, StringComparer.Ordinal)];
    }

    /// <summary>Writes <c>packs</c> when there are any, each field in the order the docs list them.</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<CreditPack> packs)
    {
        if (packs.Count == 0)
        {
            return;
        }

        w.WriteStartArray("packs");
        foreach (var p in packs.OrderBy(p => p.Code, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("code", p.Code);
            w.WriteString("name", p.Name);
            w.WriteString("feature", p.Feature);
            w.WriteNumber("amount", p.Amount);
            w.WriteNumber("price_cents", p.PriceCents);
            w.WriteString("currency", p.Currency);
            if (p.ExpiresAfterDays is { } days)
            {
                w.WriteNumber("expires_after_days", days);
            }

            if (p.StripePriceId is { } stripe)
            {
                w.WriteString("stripe_price_id", stripe);
            }

            PackCurrencyOptions.Write(w, p.CurrencyOptions);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Whether two lists sell the same packs at the same prices, options included (a record compares its list by reference).</summary>
    public static bool SameAs(IReadOnlyList<CreditPack> a, IReadOnlyList<CreditPack> b) => ToJson(a) == ToJson(b);

    /// <summary>The stored form (one JSON column): the document's own shape, so store and export agree.</summary>
    public static string ToJson(IReadOnlyList<CreditPack> packs)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            Write(w, packs);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads the stored form back; the column holds only what <see cref="ToJson"/> wrote.</summary>
    public static IReadOnlyList<CreditPack> FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("packs", out var list))
        {
            return [];
        }

        return [.. list.EnumerateArray().Select(p => new CreditPack(
            p.GetProperty("code").GetString()!, p.GetProperty("name").GetString()!, p.GetProperty("feature").GetString()!,
            p.GetProperty("amount").GetInt64(), p.GetProperty("price_cents").GetInt64(), p.GetProperty("currency").GetString()!,
            p.TryGetProperty("expires_after_days", out var d) ? d.GetInt32() : null,
            p.TryGetProperty("stripe_price_id", out var s) ? s.GetString() : null)
        {
            CurrencyOptions = PackCurrencyOptions.FromJson(p),
        })];
    }
}
