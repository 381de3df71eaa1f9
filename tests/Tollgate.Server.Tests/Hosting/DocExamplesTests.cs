using System.Net;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>The docs' examples run against a real server, so that they cannot rot.</summary>
public sealed partial class DocExamplesTests
{
    private static string Doc(string name) => File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", name));

    [Fact]
    public async Task TheCatalogDocsExampleDocumentAppliesAndAppliedAgainChangesNothing()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" });
        var example = JsonBlock().Match(Doc("catalog.md")).Groups[1].Value;

        var first = await app.Admin.PutJsonAsync("/v1/admin/catalog", example);
        var etag = (await app.Anonymous.GetAsync("/v1/pricing")).Headers.ETag?.Tag;
        var second = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", example)).ReadAsync();

        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        Assert.False(second["changed"].Value<bool>());
        Assert.Equal(etag, (await app.Anonymous.GetAsync("/v1/pricing")).Headers.ETag?.Tag);
    }

    [Fact]
    public async Task TheReadmesCatalogInOneScreenApplies()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Tollgate:Catalog:SeedFile"] = "none" });
        var example = JsonBlock().Match(File.ReadAllText(Path.Combine(Json.RepoRoot(), "README.md"))).Groups[1].Value;

        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog", example);

        Assert.True(applied.StatusCode == HttpStatusCode.OK, await applied.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryCompleteCurlExampleInTheLlmDocsSucceedsOnTheExampleCatalog()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        await app.CustomerAsync("c1");
        await app.CustomerAsync("user-42");
        await app.SubscribeAsync("user-42", "pro");

        Assert.Empty(await RunCurlExamplesAsync(app, "llm.md", atLeast: 4));
    }

    [Fact]
    public async Task EveryCompleteCurlExampleInTheEntitlementsDocsSucceedsInOrderOnTheDataApiCatalog()
    {
        // The rate-limit and metadata examples name the data-API catalog's api_calls; the rest create what they use.
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?>
        {
            ["Tollgate:Catalog:SeedFile"] = Path.Combine(Json.RepoRoot(), "catalogs", "data-api.json"),
        });

        Assert.Empty(await RunCurlExamplesAsync(app, "entitlements.md", atLeast: 7));
    }

    /// <summary>Sends the doc's complete curl examples in order; the failures, each with its answer.</summary>
    private static async Task<List<string>> RunCurlExamplesAsync(TollgateApp app, string doc, int atLeast)
    {
        var examples = CurlExamples(Doc(doc)).ToList();
        Assert.True(examples.Count >= atLeast, $"only {examples.Count} runnable examples were found in {doc}");
        var failures = new List<string>();
        foreach (var (method, path, body) in examples)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = Json.Content(body) };
            var response = await app.Admin.SendAsync(request);
            if ((int)response.StatusCode >= 400)
            {
                failures.Add($"{method} {path} {body} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        return failures;
    }

    /// <summary>Each `curl -X METHOD localhost:5080/path … -d '{…}'` whose body is complete (no "…" placeholder).</summary>
    private static IEnumerable<(string Method, string Path, string Body)> CurlExamples(string markdown)
    {
        foreach (Match block in ShellBlock().Matches(markdown))
        {
            var commands = block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal);
            foreach (Match curl in Curl().Matches(commands))
            {
                if (!curl.Groups[3].Value.Contains('…', StringComparison.Ordinal) && !curl.Groups[2].Value.Contains('{', StringComparison.Ordinal))
                {
                    yield return (curl.Groups[1].Value, curl.Groups[2].Value, curl.Groups[3].Value);
                }
            }
        }
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("curl -s -X (POST|PUT|PATCH) '?localhost:5080(/[^ ']+)'? [^\\n]*?-d '([^']+)'")]
    private static partial Regex Curl();
}
