using System.Text.RegularExpressions;

namespace Tollgate.Core.Tests.Architecture;

/// <summary>
/// docs/architecture.md lists the files a consume runs through, which issue 31 measures (at most 20 in at most 2 projects).
/// The list names files that exist, and the count its prose gives is the list's own, so a file moved or renamed shows here
/// and not in a reader's search.
/// </summary>
public sealed partial class ConsumeWalkTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(SourceTree.Root, "docs", "architecture.md"));

    [Fact]
    public void EveryFileTheConsumeWalkNamesExistsInTheProjectItNames()
    {
        var missing = Walk().Where(f => !File.Exists(Path.Combine(SourceTree.Root, "src", "Tollgate." + f.Project, f.Path)))
            .Select(f => $"{f.Project} {f.Path}").ToList();

        Assert.NotEmpty(Walk());
        Assert.Empty(missing);
    }

    [Fact]
    public void TheWalksProseCountsTheFilesAndProjectsItsTableLists()
    {
        var walk = Walk();
        var said = WalkCount().Match(Section());

        Assert.True(said.Success, "the walk's prose says no 'touches N files (…) in M projects'");
        Assert.Equal(Enumerable.Range(1, walk.Count), walk.Select(f => f.Number));
        Assert.Equal((walk.Count, walk.Select(f => f.Project).Distinct().Count()),
            (int.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
             int.Parse(said.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string Section()
    {
        var start = Doc.IndexOf("## The walk of one consume", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/architecture.md has no '## The walk of one consume'");
        var end = Doc.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return end < 0 ? Doc[start..] : Doc[start..end];
    }

    private static List<(int Number, string Project, string Path)> Walk() =>
        [.. Row().Matches(Section()).Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups[2].Value, m.Groups[3].Value.Replace('/', System.IO.Path.DirectorySeparatorChar)))];

    // | 12 | Server `Entitlements/EntitlementStore.cs` | what it does |
    [GeneratedRegex(@"^\|\s*(\d+)\s*\|\s*(\w+)\s+`([^`]+\.cs)`[^|]*\|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"touches (\d+) files[^.]*? in (\d+) projects")]
    private static partial Regex WalkCount();
}
