using System.Text.Json;
using Tollgate.Core.Json;

namespace Tollgate.Core.Catalog;

/// <summary>
/// A pack's <c>currency_options</c>: <c>{"EUR": {"price_cents": 900, "stripe_price_id": "price_…"}}</c>, its price in other
/// currencies than its own, as Stripe's. Keys are taken in either case, as the pack's <c>currency</c> is, and kept in capitals.
/// </summary>
internal static class PackCurrencyOptions
{
    /// <summary>
    /// The options in code order, empty when absent, or null when any is wrong (each problem named by its path). A Stripe
    /// price sells one thing, so an option's <c>stripe_price_id</c> joins <paramref name="stripePrices"/>, the ids of every pack.
    /// </summary>
    public static IReadOnlyList<PackPrice>? Read(ElementReader pack, string? currency, HashSet<string> stripePrices)
    {
        if (pack.Raw("currency_options") is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var path = pack.Child("currency_options");
        if (element.ValueKind != JsonValueKind.Object)
        {
            pack.Problem(path, "must be an object of prices by currency, such as {\"EUR\": {\"price_cents\": 900}}");
            return null;
        }

        var options = new List<PackPrice>();
        var ok = true;
        foreach (var property in element.EnumerateObject())
        {
            var at = path + "." + property.Name;
            var code = Money.Currency.Canonical(property.Name);
            var problem = code is null || !Money.Currency.IsIso(code) ? "must be a three-letter ISO 4217 code, such as EUR or eur"
                : code == currency ? "is the pack's own currency, priced by its price_cents"
                : options.Any(o => o.Currency == code) ? $"gives {code} a second time"
                : null;
            if (problem is not null)
            {
                pack.Problem(at, problem);
                ok = false;
                continue;
            }

            var problems = new List<DocumentProblem>();
            var r = new ElementReader(property.Value, at, problems, "price_cents", "stripe_price_id");
            var cents = r.Integer("price_cents", required: true, 0, CatalogDocument.MaxPriceCents);
            var stripePrice = r.String("stripe_price_id", required: false, 255);
            if (stripePrice is not null && !stripePrices.Add(stripePrice))
            {
                r.Problem(r.Child("stripe_price_id"), $"is the stripe_price_id of another pack or currency: '{stripePrice}'");
            }

            foreach (var p in problems)
            {
                pack.Problem(p.Path, p.Message);
            }

            ok &= problems.Count == 0;
            if (cents is { } c && problems.Count == 0)
            {
                options.Add(new PackPrice(code!, c, stripePrice));
            }
        }

        return ok ? [.. options.OrderBy(o => o.Currency, StringComparer.Ordinal)] : null;
    }

    /// <summary>Writes <c>currency_options</c> when the pack has any, by currency code; a price's Stripe id only when set.</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<PackPrice> options)
    {
        if (options.Count == 0)
        {
            return;
        }

        w.WriteStartObject("currency_options");
        foreach (var option in options.OrderBy(o => o.Currency, StringComparer.Ordinal))
        {
            w.WriteStartObject(option.Currency);
            w.WriteNumber("price_cents", option.PriceCents);
            if (option.StripePriceId is { } stripe)
            {
                w.WriteString("stripe_price_id", stripe);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Reads back what <see cref="Write"/> stored in a pack's JSON; empty for a pack stored before options existed.</summary>
    public static IReadOnlyList<PackPrice> FromJson(JsonElement pack) => pack.TryGetProperty("currency_options", out var options)
        ? [.. options.EnumerateObject().Select(o => new PackPrice(o.Name, o.Value.GetProperty("price_cents").GetInt64(),
            o.Value.TryGetProperty("stripe_price_id", out var s) ? s.GetString() : null))]
        : [];
}
