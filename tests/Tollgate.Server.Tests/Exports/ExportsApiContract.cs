using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Exports;

/// <summary>Admin exports as CSV (RFC 4180) and NDJSON, through the endpoint and the CLI verb, which write the same bytes.</summary>
public abstract class ExportsApiContract(SharedServer shared) : ApiContract(shared, wholeClass: false)
{
    private static async Task<TollgateApp> WithLlmCallsAsync(TollgateApp app)
    {
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "c1", feature = "chat", model = "gpt-4o-2024-08-06", input_tokens = 1000, output_tokens = 500, request_id = "r1",
            timestamp = "2026-01-15T10:00:00Z", metadata = new { note = "say \"hi\", then\nbye" },
        });
        await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "c1", model = "gpt-4o-mini", input_tokens = 10, output_tokens = 5, request_id = "r2", timestamp = "2026-01-15T11:00:00Z",
        });
        return app;
    }

    [Fact]
    public async Task LlmCallsCsvHasAHeaderDecimalCostWithCurrencyAndQuotesFieldsPerRfc4180()
    {
        await using var app = await WithLlmCallsAsync(await StartAsync(ApiSetup.LlmCatalog()));

        var response = await app.Admin.GetAsync("/v1/admin/exports/llm-calls?from=2026-01-15&to=2026-01-16&format=csv");
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("occurred_at,customer_id,request_id,feature_code,model,provider,price_id,plan_code,input_tokens,output_tokens,"
            + "cached_input_tokens,cache_write_tokens,reasoning_tokens,requests,images,cost,currency,unpriced,metadata,member_id,"
            + "cache_write_1h_tokens", lines[0]);
        Assert.StartsWith("2026-01-15T10:00:00.000Z,c1,r1,chat,gpt-4o-2024-08-06,", lines[1], StringComparison.Ordinal);
        var rows = ParseCsv(text);
        Assert.Equal((3, 21), (rows.Count, rows[1].Count));
        Assert.Equal(("0.007500000", "USD", "false"), (rows[1][15], rows[1][16], rows[1][17]));
        Assert.Equal("say \"hi\", then\nbye", JsonNode.Parse(rows[1][18])!["note"].Value<string>());
        Assert.Equal(("", ""), (rows[2][3], rows[2][18]));
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomersCsvQuotesCommasQuotesAndLineBreaksSoTheNameRoundTrips()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog());
        const string name = "Acme, \"Best\"\r\nLtd";
        await app.Admin.PutJsonAsync("/v1/customers/acme", new
        {
            email = "ops@acme.test", name, address = new { line1 = "1 Rue de Rivoli", city = "Paris", country = "FR" },
            tax_ids = new[] { new { type = "eu_vat", value = "FR12345678901" } },
        });

        var rows = ParseCsv(await (await app.Admin.GetAsync("/v1/admin/exports/customers")).Content.ReadAsStringAsync());

        Assert.Equal(["created_at", "id", "email", "name", "metadata", "has_payment_method", "updated_at", "deleted_at", "address", "tax_ids",
            "tax_exempt", "tax_rates"], rows[0]);
        Assert.Equal(("acme", "ops@acme.test", name, "false"), (rows[1][1], rows[1][2], rows[1][3], rows[1][5]));
        Assert.Equal(("FR", "FR12345678901", "none"), (JsonNode.Parse(rows[1][8])!["country"].Value<string>(),
            JsonNode.Parse(rows[1][9])![0]!["value"].Value<string>(), rows[1][10]));
    }

    [Fact]
    public async Task JsonCellsReadAsWrittenCompactWithAccentsAndPlusSignsAsThemselvesWhateverStoredThem()
    {
        await using var app = await WithLlmCallsAsync(await StartAsync(ApiSetup.LlmCatalog()));
        await app.Admin.PutJsonAsync("/v1/customers/zoe", new { email = "zoe@example.com", name = "Zoë", metadata = new { note = "-2+3 Zoë \"hi\"" } });
        (await app.Admin.PostJsonAsync("/v1/llm/usage",
            """{"customer": "c1", "model": "gpt-4o-mini", "request_id": "r3", "timestamp": "2026-01-15T12:00:00Z", "metadata": {"u": "\u00fc"}}"""))
            .EnsureSuccessStatusCode();

        var customers = ParseCsv(await (await app.Admin.GetAsync("/v1/admin/exports/customers")).Content.ReadAsStringAsync());
        var calls = ParseCsv(await (await app.Admin.GetAsync("/v1/admin/exports/llm-calls?from=2026-01-15&to=2026-01-16")).Content.ReadAsStringAsync());
        var ndjson = await (await app.Admin.GetAsync("/v1/admin/exports/customers?format=ndjson")).Content.ReadAsStringAsync();

        // They read {"note":"-2\u002B3 Zo\u00EB \u0022hi\u0022"} and {"u": "\u00fc"}, each as its writer had stored it.
        Assert.Equal("""{"note":"-2+3 Zoë \"hi\""}""", customers.Single(r => r[1] == "zoe")[4]);
        Assert.Equal("""{"u":"ü"}""", calls.Single(r => r[2] == "r3")[18]);
        Assert.Contains("""{"note":"-2+3 Zoë \"hi\""}""", ndjson, StringComparison.Ordinal);
    }

    /// <summary>An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(ch);
            }
        }

        return rows;
    }

    [Fact]
    public async Task InvoicesNdjsonCarriesMoneyInDecimalUnitsBesideItsCurrency()
    {
        await using var app = await StartAsync(ApiSetup.BillingCatalog());
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro");

        var response = await app.Admin.GetAsync("/v1/admin/exports/invoices?format=ndjson");
        var rows = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)).ToList();

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var invoice = Assert.Single(rows)!;
        Assert.Equal(("c1", "USD", 30m, 30m), (invoice["customer_id"].Value<string>(), invoice["currency"].Value<string>(),
            invoice["subtotal"].Value<decimal>(), invoice["amount_due"].Value<decimal>()));
    }

    [Fact]
    public async Task TheRangeIsFromInclusiveToExclusive()
    {
        await using var app = await WithLlmCallsAsync(await StartAsync(ApiSetup.LlmCatalog()));

        var first = await app.Admin.GetAsync("/v1/admin/exports/llm-calls?from=2026-01-15T10:00:00Z&to=2026-01-15T11:00:00Z&format=ndjson");
        var lines = (await first.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("r1", JsonNode.Parse(Assert.Single(lines))!["request_id"].Value<string>());
    }

    [Theory]
    [InlineData("/v1/admin/exports/teleports", "kind")]
    [InlineData("/v1/admin/exports/llm-calls?format=xlsx", "format")]
    [InlineData("/v1/admin/exports/llm-calls?from=2026-02-01&to=2026-01-01", "to")]
    [InlineData("/v1/admin/exports/events?from=yesterday", "from")]
    [InlineData("/v1/admin/exports/events?from=2026-03-01T00:00:00", "from")]
    [InlineData("/v1/admin/exports/events?to=2026-03-01T00:00:00", "to")]
    [InlineData("/v1/admin/exports/events?from=0001-01-01", "from")]
    [InlineData("/v1/admin/exports/events?from=0001-01-01T00:00:00%2B01:00", "from")]
    [InlineData("/v1/admin/exports/events?to=9999-12-31", "to")]
    [InlineData("/v1/admin/exports/events?to=9999-12-31T23:59:59-01:00", "to")]
    [InlineData("/v1/admin/exports/llm-calls?to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/v1/admin/exports/usage-daily?from=0001-01-01T00:00:00Z", "from")]
    public async Task BadInputIsA400NamingTheField(string url, string field)
    {
        await using var app = await StartSharedAsync(ApiSetup.LlmCatalog());

        var response = await app.Admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadAsync())["errors"]![field]);
    }

    [Fact]
    public async Task FromDefaultsToTheBeginningSoACallDatedBefore1970IsExported()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog());
        await app.CustomerAsync("old");
        var logged = await app.Admin.PostJsonAsync("/v1/llm/usage", new
        {
            customer = "old", feature = "chat", model = "gpt-4o-mini", input_tokens = 10, output_tokens = 5, request_id = "r1960",
            timestamp = "1960-06-01T12:00:00Z",
        });
        Assert.True(logged.IsSuccessStatusCode, await logged.Content.ReadAsStringAsync());

        var response = await app.Admin.GetAsync("/v1/admin/exports/llm-calls?format=ndjson");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(lines, l => JsonNode.Parse(l)!["request_id"].Value<string>() == "r1960");
    }

    [Fact]
    public async Task CsvCellsThatASpreadsheetWouldRunAsFormulasStartWithAQuote()
    {
        await using var app = await StartAsync(ApiSetup.LlmCatalog());
        await app.Admin.PutJsonAsync("/v1/customers/f1", new { name = "=cmd|' /C calc'!A0" });
        await app.Admin.PutJsonAsync("/v1/customers/f2", new { name = "-2+3" });
        await app.Admin.PutJsonAsync("/v1/customers/f3", new { name = "@SUM(A1)" });
        await app.Admin.PutJsonAsync("/v1/customers/f4", new { name = "Plain = fine" });

        var csv = await (await app.Admin.GetAsync("/v1/admin/exports/customers?format=csv")).Content.ReadAsStringAsync();
        var ndjson = await (await app.Admin.GetAsync("/v1/admin/exports/customers?format=ndjson")).Content.ReadAsStringAsync();

        Assert.Contains(",'=cmd|' /C calc'!A0,", csv, StringComparison.Ordinal);
        Assert.Contains(",'-2+3,", csv, StringComparison.Ordinal);
        Assert.Contains(",'@SUM(A1),", csv, StringComparison.Ordinal);
        Assert.Contains(",Plain = fine,", csv, StringComparison.Ordinal);
        Assert.Contains(ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => JsonNode.Parse(l)!["name"].Value<string>() == "=cmd|' /C calc'!A0"); // JSON is not a spreadsheet: kept as is
    }

    [Fact]
    public async Task TheCliVerbWritesWhatTheEndpointServes()
    {
        await using var app = await WithLlmCallsAsync(await StartAsync(ApiSetup.LlmCatalog()));
        var file = Path.Combine(Path.GetTempPath(), $"tollgate-export-{Guid.NewGuid():N}.ndjson");
        var served = await (await app.Admin.GetAsync("/v1/admin/exports/llm-calls?from=2026-01-01&to=2026-02-01&format=ndjson")).Content.ReadAsStringAsync();

        var result = await CliProcess.RunAsync(CliProcess.Store(Kind, app.ConnectionString), null,
            "export", "llm-calls", "--from", "2026-01-01", "--to", "2026-02-01", "--format", "ndjson", "--output", file);

        Assert.Equal(0, result.Exit);
        Assert.Contains("Wrote 2 row(s)", result.Err, StringComparison.Ordinal);
        Assert.Equal(served, await File.ReadAllTextAsync(file));
    }
}

public sealed class SqliteExportsApiTests(SharedServer shared) : ExportsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresExportsApiTests(SharedServer shared) : ExportsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same contract on a clock that ticks in real time between the steps a test takes.</summary>
public sealed class SqliteTickingExportsApiTests(SharedServer shared) : ExportsApiContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
