using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

/// <summary>Credit packs priced in several currencies: <c>currency_options: {"EUR": {"price_cents", "stripe_price_id"?}}</c> (issue 33).</summary>
public sealed class PackCurrencyOptionsTests
{
    private static string Document(string options) => $$"""
        {"features": [{"code": "calls", "name": "Calls", "kind": "metered"}],
         "plans": [{"code": "free", "name": "Free", "prices": [], "features": []}],
         "packs": [{"code": "calls_1k", "name": "1,000 calls", "feature": "calls", "amount": 1000, "price_cents": 1000, "currency": "USD",
                    "stripe_price_id": "price_usd", "currency_options": {{options}}},
                   {"code": "calls_5k", "name": "5,000 calls", "feature": "calls", "amount": 5000, "price_cents": 4000, "currency": "usd",
                    "stripe_price_id": "price_5k"}]}
        """;

    private static CreditPack Pack(string options)
    {
        var parsed = CatalogDocument.Parse(Document(options));
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Problems));
        return parsed.Catalog!.Packs[0];
    }

    [Fact]
    public void APackIsPricedInItsOwnCurrencyAndInEachOptionKeyedInEitherCase()
    {
        var pack = Pack("""{"gbp": {"price_cents": 800}, "EUR": {"price_cents": 900, "stripe_price_id": "price_eur"}}""");

        Assert.Equal(["USD", "EUR", "GBP"], pack.Currencies);
        Assert.Equal(new PackPrice("USD", 1000, "price_usd"), pack.PriceIn("USD"));
        Assert.Equal(new PackPrice("EUR", 900, "price_eur"), pack.PriceIn("EUR"));
        Assert.Equal(new PackPrice("GBP", 800, null), pack.PriceIn("GBP"));
        Assert.Null(pack.PriceIn("JPY"));
    }

    [Fact]
    public void TheOptionsExportInCapitalsByCodeAndApplyBackAsTheSamePacks()
    {
        var parsed = CatalogDocument.Parse(Document("""{"gbp": {"price_cents": 800}, "EUR": {"price_cents": 900, "stripe_price_id": "price_eur"}}""")).Catalog!;

        var exported = CatalogDocumentWriter.Write(parsed);
        var again = CatalogDocument.Parse(exported).Catalog!;

        Assert.True(CatalogPacks.SameAs(parsed.Packs, again.Packs));
        Assert.Equal(CatalogPacks.ToJson(parsed.Packs), CatalogPacks.ToJson(CatalogPacks.FromJson(CatalogPacks.ToJson(parsed.Packs))));
        Assert.True(exported.IndexOf("\"EUR\"", StringComparison.Ordinal) < exported.IndexOf("\"GBP\"", StringComparison.Ordinal));
        Assert.DoesNotContain("\"gbp\"", exported, StringComparison.Ordinal);
    }

    [Fact]
    public void APackWithADifferentOptionIsNotTheSamePack() =>
        Assert.False(CatalogPacks.SameAs([Pack("""{"EUR": {"price_cents": 900}}""")], [Pack("""{"EUR": {"price_cents": 950}}""")]));

    [Theory]
    [InlineData("""{"EURO": {"price_cents": 900}}""", "packs[0].currency_options.EURO: must be a three-letter ISO 4217 code, such as EUR or eur")]
    [InlineData("""{"usd": {"price_cents": 900}}""", "packs[0].currency_options.usd: is the pack's own currency, priced by its price_cents")]
    [InlineData("""{"EUR": {"price_cents": 900}, "eur": {"price_cents": 950}}""", "packs[0].currency_options.eur: gives EUR a second time")]
    [InlineData("""{"EUR": {"price_cents": -1}}""", "packs[0].currency_options.EUR.price_cents: must be >= 0")]
    [InlineData("""{"EUR": {}}""", "packs[0].currency_options.EUR.price_cents: is required")]
    [InlineData("""{"EUR": {"price_cents": 900, "stripe_price_id": "price_usd"}}""",
        "packs[0].currency_options.EUR.stripe_price_id: is the stripe_price_id of another pack or currency: 'price_usd'")]
    [InlineData("""{"EUR": {"price_cents": 900, "stripe_price_id": "price_5k"}}""",
        "packs[1].stripe_price_id: is the stripe_price_id of another pack: 'price_5k'")]
    [InlineData("""{"EUR": {"price_cents": 900, "amount": 3}}""", "packs[0].currency_options.EUR.amount: unknown field")]
    [InlineData("""[900]""", "packs[0].currency_options: must be an object of prices by currency, such as {\"EUR\": {\"price_cents\": 900}}")]
    public void AWrongOptionIsRefusedNamingItsPath(string options, string expected) =>
        Assert.Contains(expected, CatalogDocument.Parse(Document(options)).Problems.Select(p => p.ToString()));
}
