using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>The docs' examples that need no store of their own: the catalog documents, and the README's Try it with no server.</summary>
public sealed partial class DocExamplesTests
{
    private static Dictionary<string, string?> NoCatalog() => new() { ["Tollgate:Catalog:SeedFile"] = "none" };

    private static string Doc(string name) => File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", name));

    [Fact]
    public async Task TheCatalogDocsExampleDocumentAppliesAndAppliedAgainChangesNothing()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, NoCatalog());
        var example = JsonBlock().Match(Doc("catalog.md")).Groups[1].Value;

        var first = await app.Admin.PutJsonAsync("/v1/admin/catalog", example);
        var etag = (await app.Anonymous.GetAsync("/v1/pricing")).Headers.ETag?.Tag;
        var second = await (await app.Admin.PutJsonAsync("/v1/admin/catalog", example)).ReadAsync();

        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        Assert.False(second["changed"].Value<bool>());
        Assert.Equal(etag, (await app.Anonymous.GetAsync("/v1/pricing")).Headers.ETag?.Tag);
    }

    [Fact]
    public async Task TheCatalogDocsExampleAppliedAsWrittenGivesEveryPublicPlanAPriceAndNoPlaceholderText()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, NoCatalog());
        var example = JsonBlock().Match(Doc("catalog.md")).Groups[1].Value;

        (await app.Admin.PutJsonAsync("/v1/admin/catalog", example)).EnsureSuccessStatusCode();
        var plans = (await (await app.Anonymous.GetAsync("/v1/pricing/plans")).ReadAsync()).AsArray();
        var page = await (await app.Anonymous.GetAsync("/pricing")).Content.ReadAsStringAsync();

        Assert.NotEmpty(plans);
        Assert.All(plans, plan => Assert.True(
            plan!["prices"]!.AsArray().Count > 0, $"plan {plan["code"]} has no price, so the page offers it as 'Contact us'"));
        Assert.DoesNotContain("…", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheReadmesCatalogInOneScreenApplies()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite, NoCatalog());
        var example = JsonBlock().Match(File.ReadAllText(Path.Combine(Json.RepoRoot(), "README.md"))).Groups[1].Value;

        var applied = await app.Admin.PutJsonAsync("/v1/admin/catalog", example);

        Assert.True(applied.StatusCode == HttpStatusCode.OK, await applied.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheReadmesTryItSaysSoAndWritesNoEmptyCatalogWhileNoServerAnswers()
    {
        // As during the first build: nothing listens yet. The block runs as in a reader's terminal (no errexit); the build
        // and the run are stubbed out, and sleep returns at once, so the wait's bound passes without waiting.
        var work = Directory.CreateTempSubdirectory("tollgate-readme-");
        try
        {
            var run = await DocShell.RunAsync(
                DocExamplesContract.ReadmeTryIt(), UnusedPort(), work.FullName, new Dictionary<string, string>(),
                "dotnet() { :; }\nsleep() { :; }");

            Assert.Contains("curl: (7)", run.Output, StringComparison.Ordinal); // curl's "Failed to connect", printed, not swallowed
            Assert.False(File.Exists(Path.Combine(work.FullName, "catalog.json")), "catalog.json was written though no server answered");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
