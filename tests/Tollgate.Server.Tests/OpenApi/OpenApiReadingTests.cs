using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tollgate.Server.OpenApi;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.OpenApi;

/// <summary>What a reader of /docs sees: a real summary on every operation, text that renders as written, and a license.</summary>
public sealed partial class OpenApiReadingTests(ServedDocument served) : IClassFixture<ServedDocument>
{
    [Fact]
    public void EveryOperationHasASummaryOfItsOwnThatIsNotItsRoute()
    {
        var summaries = served.Operations.Select(o => (Route: $"{o.Method.ToUpperInvariant()} {o.Path}", o.Path, Summary: o.Operation["summary"].Value<string>()))
            .ToList();

        Assert.True(summaries.Count > 100, $"only {summaries.Count} operations");
        Assert.Empty(summaries.Where(s => string.IsNullOrWhiteSpace(s.Summary)).Select(s => s.Route));
        Assert.Empty(summaries.Where(s => s.Summary!.Contains(s.Path, StringComparison.Ordinal) || s.Summary.StartsWith('/')).Select(s => s.Route));
        Assert.Empty(summaries.GroupBy(s => s.Summary).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(s => s.Route))}"));
    }

    [Fact]
    public void TheSummaryTableNamesNoRouteTheServerDoesNotHave()
    {
        var routes = served.Operations.Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").ToHashSet();
        var stale = OperationSummaries.All.Keys.Where(k => !routes.Contains(k)).ToList();

        Assert.Empty(stale);
    }

    [Fact]
    public void NoDescriptionHoldsAnAngleBracketThatMarkdownWouldTakeForATag()
    {
        // /docs renders descriptions as Markdown: <key> outside a code span is an HTML tag to it, and disappears.
        var dropped = Texts(served.Document).Where(t => Tag().IsMatch(CodeSpan().Replace(t, ""))).ToList();

        Assert.Empty(dropped);
        Assert.Contains("`Authorization: Bearer <key>`", served.Document["info"]!["description"].Value<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentNamesItsLicense()
    {
        Assert.Equal(("Apache-2.0", "Apache-2.0"),
            (served.Document["info"]!["license"]?["name"].Value<string>(), served.Document["info"]!["license"]?["identifier"].Value<string>()));
    }

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key is "description" or "summary" && p.Value is JsonValue v && v.TryGetValue<string>(out var text)
            ? [text] : Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        _ => [],
    };

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex("</?[A-Za-z][^>]*>")]
    private static partial Regex Tag();
}
