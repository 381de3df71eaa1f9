using System.Text.RegularExpressions;
using Tollgate.Testing;
using Xunit.Abstractions;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// The docs' shell examples run as a reader runs them: each document's blocks in order, pasted into one bash, against a
/// fresh server of its own (the example catalog, on the real clock unless the doc exports the test clock's settings), with
/// the keys the README's Try it makes.
/// </summary>
public abstract partial class DocExamplesContract(ITestOutputHelper output) : ApiContract
{
    /// <summary>The Stripe price payments.md links to the pro plan, which the fake Stripe sells.</summary>
    public const string PaymentsDocPrice = "price_1PqR2sTuVwXyZ";

    // The SDK guides' examples are their suites' (sdks/, tests/Tollgate.Client.Tests), and pages.md's are the browser tests'.
    private static readonly string[] Elsewhere = ["sdk.md", "sdk-python.md", "sdk-typescript.md", "pages.md"];

    // Documents that must keep runnable examples, so that markers cannot quietly turn them off.
    private static readonly Dictionary<string, int> AtLeast = new(StringComparer.Ordinal)
    {
        ["alerts-and-webhooks.md"] = 4, ["billing.md"] = 3, ["discounts.md"] = 3, ["entitlements.md"] = 4, ["llm.md"] = 7,
        ["payments.md"] = 2,
    };

    public static TheoryData<string> Docs() => [.. Directory.GetFiles(Path.Combine(Json.RepoRoot(), "docs"), "*.md")
        .Select(Path.GetFileName).Cast<string>().Where(name => !Elsewhere.Contains(name)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Docs))]
    public async Task EveryCurlExampleOfTheDocRunsInOrderOnAFreshServer(string doc)
    {
        var all = DocBlocks.Shell(File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", doc)));
        var blocks = all.Where(b => b.CallsTheServer).ToList();
        var runnable = blocks.Where(b => b.NotRun is null).ToList();
        var unfit = blocks.Where(b => b.NotRun is { Length: 0 })
            .Select(b => $"{doc}: the block at line {b.Line} is marked not run without a reason")
            .Concat(runnable.Where(b => b.Commands.Contains('…', StringComparison.Ordinal))
                .Select(b => $"{doc}: the block at line {b.Line} has a '…' placeholder; use what an earlier call answered"))
            .ToList();
        Assert.True(unfit.Count == 0, string.Join('\n', unfit));
        Assert.True(runnable.Count >= AtLeast.GetValueOrDefault(doc), $"{doc}: only {runnable.Count} runnable blocks");
        if (runnable.Count == 0)
        {
            return;
        }

        // The server is the Try it's, on the real clock, with the settings the doc exports (the test clock's, say) but for
        // the database, which is the test's.
        var settings = new Dictionary<string, string?> { ["Tollgate:TestClock:Enabled"] = "false" };
        foreach (var (key, value) in Exports(all))
        {
            if (key.StartsWith("Tollgate:", StringComparison.Ordinal) && !key.StartsWith("Tollgate:Database:", StringComparison.Ordinal))
            {
                settings[key] = value;
            }
        }

        await using var stripe = doc == "payments.md" ? await FakeStripe.StartAsync() : null;
        stripe?.AddPrice(PaymentsDocPrice, 2999);
        foreach (var (key, value) in stripe?.Settings ?? [])
        {
            settings[key] = value;
        }

        await using var app = await TollgateApp.StartAsync(Kind, settings, kestrel: true);
        var work = Directory.CreateTempSubdirectory("tollgate-doc-");
        try
        {
            var run = await DocShell.RunAsync(runnable, app.BaseAddress!.Port, work.FullName, new Dictionary<string, string>
            {
                ["TOLLGATE_ADMIN_KEY"] = TollgateApp.AdminKey,
                ["TOLLGATE_SECRET_KEY"] = await SecretKeyAsync(app),
            });

            output.WriteLine(run.Describe(doc));
            Assert.True(run.Failed is null, run.Describe(doc));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheReadmesTryItRunsAsWrittenOnAServerStartedWithItsSettings()
    {
        var blocks = ReadmeTryIt();
        var settings = Exports(blocks);
        settings.TryAdd("Tollgate:TestClock:Enabled", "false");
        await using var app = await TollgateApp.StartAsync(Kind, settings, kestrel: true);
        var work = Directory.CreateTempSubdirectory("tollgate-readme-");
        try
        {
            // The test's server stands in for the build and the run, which the block starts in the background.
            var run = await DocShell.RunAsync(blocks, app.BaseAddress!.Port, work.FullName, new Dictionary<string, string>(),
                DocShell.Strict + "\ndotnet() { :; }");

            Assert.True(run.Failed is null, run.Describe("README.md"));
            Assert.NotEmpty(Json.Parse(File.ReadAllText(Path.Combine(work.FullName, "catalog.json")))["plans"]!.AsArray());
            var page = await (await app.Anonymous.GetAsync("/pricing")).Content.ReadAsStringAsync();
            Assert.True(settings.TryGetValue("Tollgate:Pages:ProductName", out var product), "the Try it names no product for the pages");
            Assert.Contains($"{product} pricing", page, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The README's blocks that call the server: the Try it.</summary>
    public static List<DocBlock> ReadmeTryIt()
    {
        var blocks = DocBlocks.Shell(File.ReadAllText(Path.Combine(Json.RepoRoot(), "README.md")))
            .Where(b => b.CallsTheServer && b.NotRun is null).ToList();
        Assert.NotEmpty(blocks);
        return blocks;
    }

    private static async Task<string> SecretKeyAsync(TollgateApp app)
    {
        var created = await app.Admin.PostJsonAsync("/v1/admin/keys", new { name = "docs", role = "secret" });
        created.EnsureSuccessStatusCode();
        return (await created.ReadAsync())["key"].Value<string>()!;
    }

    /// <summary>The settings the blocks export for the server: Tollgate__Pages__ProductName is Tollgate:Pages:ProductName.</summary>
    private static Dictionary<string, string?> Exports(IEnumerable<DocBlock> blocks)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (Match export in blocks.SelectMany(b => ExportLine().Matches(b.Text)))
        {
            foreach (Match pair in Assignment().Matches(export.Groups[1].Value))
            {
                settings[pair.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal)] = pair.Groups[2].Value.Trim('\'', '"');
            }
        }

        return settings;
    }

    [GeneratedRegex("^export (.+)$", RegexOptions.Multiline)]
    private static partial Regex ExportLine();

    [GeneratedRegex("""(\w+)=('[^']*'|"[^"]*"|[^\s'"#]+)""")]
    private static partial Regex Assignment();
}

public sealed class SqliteDocExamplesTests(ITestOutputHelper output) : DocExamplesContract(output)
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresDocExamplesTests(ITestOutputHelper output) : DocExamplesContract(output)
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
