using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Llm;

/// <summary>LiteLLM's real table, trimmed (Fixtures/README.md) and, where the machine has it, whole.</summary>
public abstract class LiteLlmImportContract : ApiContract
{
    public const string FullFile = "/work/shared/data/litellm-model-prices.json";
    private const string Import = "/v1/admin/llm/prices/import?effective_from=2026-01-01";
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static string Trimmed() => File.ReadAllText(Path.Combine(Json.RepoRoot(), "tests/Tollgate.Server.Tests/Llm/Fixtures/litellm-trimmed.json"));

    private Task<TollgateApp> LlmAsync(bool kestrel = false) => TollgateApp.StartAsync(Kind, ApiSetup.LlmCatalog(), Start, kestrel: kestrel);

    private static async Task<decimal> CostAsync(TollgateApp app, object call)
    {
        var response = await (await app.Admin.PostJsonAsync("/v1/llm/usage", call)).ReadAsync();
        return response["cost_usd"].Value<decimal>();
    }

    [Fact]
    public async Task BareNamesTakeTheBareEntryAndResellerRowsPriceOnlyTheirOwnProvidersCalls()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c1");
        Assert.Equal(HttpStatusCode.OK, (await app.Admin.PostJsonAsync(Import, Trimmed())).StatusCode);

        // azure/eu/gpt-4o-2024-08-06 ($2.75) comes first in the file; a bare call takes OpenAI's $2.50.
        Assert.Equal(2.50m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-2024-08-06", input_tokens = 1_000_000 }));
        // The first gpt-4o-mini and gemini-2.5-flash entries are resellers without a cache price; the bare ones keep theirs.
        Assert.Equal(0.075m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-mini", cached_input_tokens = 1_000_000 }));
        Assert.Equal(0.03m, await CostAsync(app, new { customer = "c1", model = "gemini-2.5-flash", cached_input_tokens = 1_000_000 }));
        // A call that carries the prefix, or names the provider (in any of its spellings), takes that provider's row.
        Assert.Equal(2.75m, await CostAsync(app, new { customer = "c1", model = "azure/eu/gpt-4o-2024-08-06", input_tokens = 1_000_000 }));
        Assert.Equal(0.165m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-mini", provider = "azure_openai", input_tokens = 1_000_000 }));
        Assert.Equal(0.15m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-mini", provider = "openai", input_tokens = 1_000_000 }));
        // A provider with no row of its own for the model falls back to the bare row.
        Assert.Equal(0.15m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-mini", provider = "groq", input_tokens = 1_000_000 }));
    }

    [Fact]
    public async Task EveryTierThresholdIsReadNotOnlyTheOneAt200k()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c1");
        await app.Admin.PostJsonAsync(Import, Trimmed());

        // Each model's row in effect now: the import's, or the default table's where the import said the same (claude-sonnet-4-5).
        var rows = (await app.Admin.ReadAllAsync("/v1/admin/llm/prices"))
            .GroupBy(r => r!["model"].Value<string>()!)
            .ToDictionary(g => g.Key, g => g.Last()!["tier"]?["above_input_tokens"].Value<long?>());

        Assert.Equal((272_000L, 272_000L, 128_000L, 200_000L, 200_000L), (rows["gpt-5.4"], rows["azure/gpt-5.4"], rows["xai/grok-4-0709"],
            rows["gemini-2.5-pro"], rows["claude-sonnet-4-5"]));
        Assert.Null(rows["gpt-4o"]);
        // 272,001 prompt tokens bill all input at the tier's $5.00 and output at $22.50; 272,000 stays at $2.50 / $15.00.
        Assert.Equal(272_001 * 5.00m / 1_000_000 + 22.50m / 1000, await CostAsync(app, new { customer = "c1", model = "gpt-5.4", input_tokens = 272_001, output_tokens = 1000 }));
        Assert.Equal(272_000 * 2.50m / 1_000_000 + 15.00m / 1000, await CostAsync(app, new { customer = "c1", model = "gpt-5.4", input_tokens = 272_000, output_tokens = 1000 }));
        Assert.Equal(128_001 * 6.00m / 1_000_000, await CostAsync(app, new { customer = "c1", model = "xai/grok-4-0709", input_tokens = 128_001 }));
    }

    [Fact]
    public async Task TheReportCountsSkippedEntriesByKindAndRefusesAbsurdPrices()
    {
        await using var app = await LlmAsync();

        var report = await (await app.Admin.PostJsonAsync(Import, Trimmed())).ReadAsync();
        var wandb = (await app.Admin.ReadAllAsync("/v1/admin/llm/prices?model=wandb/openai/gpt-oss-120b"));
        var o1 = (await app.Admin.ReadAllAsync("/v1/admin/llm/prices?model=o1-pro"));

        var kinds = report["skipped_by_kind"]!.AsObject().ToDictionary(k => k.Key, k => k.Value.Value<int>());
        Assert.Equal(new Dictionary<string, int>
        {
            ["above_sanity_bound"] = 2, ["duplicate"] = 1, ["no_price"] = 1, ["per_character"] = 1, ["per_image"] = 2, ["per_page"] = 1, ["per_second"] = 1,
        }, kinds);
        Assert.Equal(kinds.Values.Sum(), report["skipped"]!.AsArray().Count);
        Assert.Contains(report["skipped"]!.AsArray(), s => s.Value<string>()!.StartsWith("wandb/openai/gpt-oss-120b: input_cost_per_token $15000 per 1M tokens",
            StringComparison.Ordinal));
        // 38 entries less sample_spec and the 9 skipped; the default table already says the same for 5 of them (gpt-4o, …).
        Assert.Equal((38 - 1 - 9, 5), (report["imported"]!.AsArray().Count + report["unchanged"]!.AsArray().Count, report["unchanged"]!.AsArray().Count));
        Assert.Empty(wandb);
        Assert.Equal(600m, Assert.Single(o1)!["output"].Value<decimal>()); // the dearest real price is still imported
    }

    [Fact]
    public async Task AnEntryWithABadPriceIsSkippedNamingItsFieldTheModelKeepsItsPriceAndTheRestOfTheTableImports()
    {
        await using var app = await LlmAsync();
        await app.CustomerAsync("c1");
        (await app.Admin.PostJsonAsync(Import, """{"kept-model": {"input_cost_per_token": 2e-06}}""")).EnsureSuccessStatusCode();

        var response = await app.Admin.PostJsonAsync(Import, """
            {"good-model": {"input_cost_per_token": 1e-06}, "kept-model": {"input_cost_per_token": "x"},
             "neg-model": {"litellm_provider": "openai", "input_cost_per_token": -1, "output_cost_per_token": 1e-06},
             "huge-model": {"input_cost_per_token": 1e309, "output_cost_per_token": 1e-06}, "odd-model": "not an object"}
            """);
        var report = await response.ReadAsync();
        var neg = await (await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", model = "neg-model", input_tokens = 1_000_000 })).ReadAsync();
        var kept = await (await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", model = "kept-model", input_tokens = 1_000_000 })).ReadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["good-model"], report["imported"]!.AsArray().Select(p => p!["model"].Value<string>()));
        Assert.Equal([
            "kept-model: input_cost_per_token: must be a number; not imported, so the model keeps any earlier price (or stays unpriced)",
            "neg-model: input_cost_per_token: must not be negative; not imported, so the model keeps any earlier price (or stays unpriced)",
            "huge-model: input_cost_per_token: is out of range; not imported, so the model keeps any earlier price (or stays unpriced)",
            "odd-model: an entry must be an object"], report["skipped"]!.AsArray().Select(e => e.Value<string>()));
        Assert.Equal(3, report["skipped_by_kind"]!["bad_price"].Value<int>());
        // Never priced at $0: a model with no earlier price stays unpriced, and one with a price keeps it ($2 per 1M tokens).
        Assert.True(neg["unpriced"].Value<bool>());
        Assert.Equal((false, 2_000_000_000L), (kept["unpriced"].Value<bool>(), kept["cost_nano_usd"].Value<long>()));
    }

    [Fact]
    public async Task ImportingTheTableWholeOrInPartsGivesTheSameTableAndASecondImportChangesNothing()
    {
        await using var whole = await LlmAsync();
        await using var parts = await LlmAsync();
        var table = JsonNode.Parse(Trimmed())!.AsObject();

        var first = await (await whole.Admin.PostJsonAsync(Import, table.ToJsonString())).ReadAsync();
        var again = await (await whole.Admin.PostJsonAsync(Import, table.ToJsonString())).ReadAsync();
        foreach (var chunk in table.Chunk(7))
        {
            var part = new JsonObject(chunk.Select(e => KeyValuePair.Create(e.Key, e.Value?.DeepClone())));
            Assert.Equal(HttpStatusCode.OK, (await parts.Admin.PostJsonAsync(Import, part.ToJsonString())).StatusCode);
        }

        Assert.Empty(again["imported"]!.AsArray());
        Assert.Equal(first["imported"]!.AsArray().Count + first["unchanged"]!.AsArray().Count, again["unchanged"]!.AsArray().Count);
        Assert.Equal(await TableAsync(whole), await TableAsync(parts));
    }

    [Fact]
    public async Task ATableOverOneMebibyteIsAcceptedPlainOrGzippedWhileOtherRoutesKeepTheLimit()
    {
        await using var app = await LlmAsync(kestrel: true);
        var big = Padded(Trimmed(), 1_300_000);

        var plain = await app.Admin.PostJsonAsync(Import, big);
        var gzipped = await app.Admin.PostAsync(new Uri(Import, UriKind.Relative), Gzip(big, contentEncoding: true));
        var asGzipType = await app.Admin.PostAsync(new Uri(Import, UriKind.Relative), Gzip(big, contentEncoding: false));
        // Expect: 100-continue lets the server refuse before the body is sent; without it the refusal can close the
        // connection while the client is still writing, and the client sees a broken pipe instead of the 413.
        using var tooBig = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/llm/prices")
        {
            Content = Json.Content(big),
        };
        tooBig.Headers.ExpectContinue = true;
        var elsewhere = await app.Admin.SendAsync(tooBig);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.True((await plain.ReadAsync())["imported"]!.AsArray().Count > 1000);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (gzipped.StatusCode, asGzipType.StatusCode));
        Assert.Empty((await gzipped.ReadAsync())["imported"]!.AsArray());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, elsewhere.StatusCode);
        Assert.Equal("body_too_large", (await elsewhere.ReadAsync())["error"].Value<string>());
    }

    [Fact]
    public async Task ABodyThatSaysGzipButIsNotIsA400AndAnotherContentTypeIsA415AndNeitherImportsAnything()
    {
        await using var app = await LlmAsync();
        var before = await TableAsync(app);
        var notGzip = new StringContent(Trimmed(), Encoding.UTF8, "application/json");
        notGzip.Headers.ContentEncoding.Add("gzip");

        var bad = await app.Admin.PostAsync(new Uri(Import, UriKind.Relative), notGzip);
        var text = await app.Admin.PostAsync(new Uri(Import, UriKind.Relative), new StringContent(Trimmed(), Encoding.UTF8, "text/plain"));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_gzip"), (bad.StatusCode, (await bad.ReadAsync())["error"].Value<string>()));
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"), (text.StatusCode, (await text.ReadAsync())["error"].Value<string>()));
        Assert.Equal(before, await TableAsync(app));
    }

    [Fact]
    public async Task TheFullRealFileImportsWithBareNamesTiersAndSkipsRightWhenPresent()
    {
        if (!File.Exists(FullFile))
        {
            return; // the trimmed fixture covers each case; this one runs where the real file is (see Fixtures/README.md)
        }

        await using var app = await LlmAsync(kestrel: true);
        await app.CustomerAsync("c1");
        var text = await File.ReadAllTextAsync(FullFile);

        var report = await (await app.Admin.PostAsync(new Uri(Import, UriKind.Relative), Gzip(text, contentEncoding: true))).ReadAsync();
        var again = await (await app.Admin.PostJsonAsync(Import, text)).ReadAsync();

        var kinds = report["skipped_by_kind"]!.AsObject().ToDictionary(k => k.Key, k => k.Value.Value<int>());
        Assert.All(new[] { "per_second", "per_character", "per_image", "per_page", "above_sanity_bound" }, k => Assert.True(kinds.GetValueOrDefault(k) > 0, k));
        Assert.True(report["imported"]!.AsArray().Count > 2000);
        Assert.Empty(again["imported"]!.AsArray());
        Assert.Equal(2.50m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-2024-08-06", input_tokens = 1_000_000 }));
        Assert.Equal(0.075m, await CostAsync(app, new { customer = "c1", model = "gpt-4o-mini", cached_input_tokens = 1_000_000 }));
        Assert.Equal(0.03m, await CostAsync(app, new { customer = "c1", model = "gemini-2.5-flash", cached_input_tokens = 1_000_000 }));
        Assert.Equal(272_001 * 5.00m / 1_000_000, await CostAsync(app, new { customer = "c1", model = "gpt-5.4", input_tokens = 272_001 }));
    }

    /// <summary>Every row as a user reads it, without the ids and dates that differ between two servers.</summary>
    private static async Task<string> TableAsync(TollgateApp app)
    {
        var rows = (await app.Admin.ReadAllAsync("/v1/admin/llm/prices"));
        foreach (var row in rows.Select(r => r!.AsObject()))
        {
            row.Remove("id");
        }

        return rows.ToJsonString();
    }

    /// <summary>The fixture's entries repeated under new keys until the text passes <paramref name="bytes"/>.</summary>
    private static string Padded(string table, int bytes)
    {
        var entries = JsonNode.Parse(table)!.AsObject();
        var padded = new JsonObject();
        for (var copy = 0; padded.ToJsonString().Length < bytes; copy++)
        {
            foreach (var (key, value) in entries)
            {
                padded[$"copy{copy}/{key}"] = value?.DeepClone();
            }
        }

        return padded.ToJsonString();
    }

    private static ByteArrayContent Gzip(string text, bool contentEncoding)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(Encoding.UTF8.GetBytes(text));
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(contentEncoding ? "application/json" : "application/gzip");
        if (contentEncoding)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return content;
    }
}

public sealed class SqliteLiteLlmImportTests : LiteLlmImportContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresLiteLlmImportTests : LiteLlmImportContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
