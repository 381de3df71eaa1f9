using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Taxes;

/// <summary>POST/GET /v1/admin/tax-rates and a customer's own tax_rates: what is accepted, what is refused, and that a refusal writes nothing.</summary>
public abstract class TaxRatesApiContract : ApiContract
{
    [Fact]
    public async Task ARateIsCreatedReadListedAndDeactivatedWithItsPercentageAsSent()
    {
        await using var app = await StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);

        var created = await app.Admin.PostJsonAsync("/v1/admin/tax-rates",
            new { id = "tx_state", name = "Texas sales tax", percentage = 6.25m, inclusive = false, country = "US", state = "TX" });
        await app.TaxRateAsync(new { id = "de_vat", name = "VAT", percentage = 19, inclusive = true, country = "DE" });
        var read = await (await app.Admin.GetAsync("/v1/admin/tax-rates/tx_state")).ReadAsync();
        var deactivated = await (await app.Admin.PostJsonAsync("/v1/admin/tax-rates/de_vat/deactivate", new { })).ReadAsync();
        var list = await (await app.Admin.GetAsync("/v1/admin/tax-rates?limit=1")).ReadAsync();
        var next = await (await app.Admin.GetAsync($"/v1/admin/tax-rates?limit=1&cursor={list["next_cursor"].Value<string>()}")).ReadAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/v1/admin/tax-rates/tx_state", created.Headers.Location?.OriginalString);
        Assert.Equal((6.25m, false, "US", "TX", true), (read["percentage"].Value<decimal>(), read["inclusive"].Value<bool>(), read["country"].Value<string>(),
            read["state"].Value<string>(), read["active"].Value<bool>()));
        Assert.False(deactivated["active"].Value<bool>());
        Assert.Equal(("de_vat", true), (list["data"]![0]!["id"].Value<string>(), list["has_more"].Value<bool>()));
        Assert.Equal(("tx_state", false), (next["data"]![0]!["id"].Value<string>(), next["has_more"].Value<bool>()));
    }

    [Fact]
    public async Task BadRateInputIs400NamingEachFieldAndWritesNothing()
    {
        await using var app = await StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);

        var response = await app.Admin.PostJsonAsync("/v1/admin/tax-rates",
            new { id = "bad id", name = "", percentage = 6.12345m, country = "Germany", state = "TX" });
        var body = await response.ReadAsync();
        var zero = await (await app.Admin.PostJsonAsync("/v1/admin/tax-rates", new { id = "z", name = "Zero", percentage = 0, inclusive = false })).ReadAsync();
        var hundred = await app.Admin.PostJsonAsync("/v1/admin/tax-rates", new { id = "h", name = "All", percentage = 100, inclusive = false });
        var stateAlone = await (await app.Admin.PostJsonAsync("/v1/admin/tax-rates",
            new { id = "s", name = "State", percentage = 5, inclusive = false, state = "TX" })).ReadAsync();
        var stateNames = new List<string?>();
        foreach (var (country, state) in new[] { ("US", "Texas"), ("US", "tx"), ("US", "US-TX"), ("US", "XX"), ("CA", "QB"), ("DE", "Bayern"), ("DE", " ") })
        {
            stateNames.Add((await (await app.Admin.PostJsonAsync("/v1/admin/tax-rates",
                new { id = "s", name = "State", percentage = 5, inclusive = false, country, state })).ReadAsync())["errors"]?["state"]?.Value<string>());
        }

        var list = await (await app.Admin.GetAsync("/v1/admin/tax-rates")).ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.All(stateNames, Assert.NotNull);
        Assert.Contains("give the subdivision code alone, such as \"TX\"", stateNames[2], StringComparison.Ordinal);
        Assert.Equal(["country", "id", "inclusive", "name", "percentage"], body["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal("must be above 0 and below 100, with at most four decimals", zero["errors"]!["percentage"].Value<string>());
        Assert.Equal(HttpStatusCode.BadRequest, hundred.StatusCode);
        Assert.Equal("only goes with country", stateAlone["errors"]!["state"].Value<string>());
        Assert.Empty(list["data"]!.AsArray());
    }

    [Fact]
    public async Task ATakenIdIs409AnUnknownOneIs404AndTheListNeedsTheAdminKey()
    {
        await using var app = await StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);
        await app.TaxRateAsync(new { id = "gb_vat", name = "VAT", percentage = 20, inclusive = false, country = "GB" });

        var again = await app.Admin.PostJsonAsync("/v1/admin/tax-rates", new { id = "gb_vat", name = "VAT", percentage = 5, inclusive = false });
        var missing = await app.Admin.GetAsync("/v1/admin/tax-rates/nope");
        var deactivateMissing = await app.Admin.PostJsonAsync("/v1/admin/tax-rates/nope/deactivate", new { });
        var anonymous = await app.Anonymous.GetAsync("/v1/admin/tax-rates");

        Assert.Equal((HttpStatusCode.Conflict, "tax_rate_exists"), (again.StatusCode, (await again.ReadAsync())["error"].Value<string>()));
        Assert.Equal(20m, (await (await app.Admin.GetAsync("/v1/admin/tax-rates/gb_vat")).ReadAsync())["percentage"].Value<decimal>());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deactivateMissing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task ACustomersTaxRatesMustNameActiveRatesAndAreShownOnTheCustomer()
    {
        await using var app = await StartAsync(TaxesSetup.Settings(), TaxesSetup.Start);
        await app.TaxRateAsync(new { id = "vat20", name = "VAT", percentage = 20, inclusive = false });
        await app.TaxRateAsync(new { id = "old", name = "Old VAT", percentage = 17.5m, inclusive = false });
        await app.Admin.PostJsonAsync("/v1/admin/tax-rates/old/deactivate", new { });

        var refused = await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", tax_rates = new[] { "vat20", "nope", "old" } });
        var missing = await app.Admin.GetAsync("/v1/customers/c1");
        var accepted = await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", tax_rates = new[] { "vat20" } });

        var errors = (await refused.ReadAsync())["errors"]!.AsObject();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["tax_rates[1]", "tax_rates[2]"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(["vat20"], (await accepted.ReadAsync())["tax_rates"]!.AsArray().Select(r => r.Value<string>()));
    }
}

public sealed class SqliteTaxRatesApiTests : TaxRatesApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresTaxRatesApiTests : TaxRatesApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
