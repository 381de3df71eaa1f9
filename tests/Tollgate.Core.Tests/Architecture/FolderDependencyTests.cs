using System.Text.RegularExpressions;

namespace Tollgate.Core.Tests.Architecture;

/// <summary>
/// Dependencies point one way: no two folders of a project import each other, and only the storage kernel
/// (src/Tollgate.Storage/Database) asks which database it runs on. Read from the source, as a reviewer would.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Src = Path.Combine(SourceTree.Root, "src");

    [Fact]
    public void NoTwoFoldersOfAProjectImportEachOther()
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (_, text) in SourceFiles())
        {
            if (NamespaceLine().Match(text) is not { Success: true } ns)
            {
                continue;
            }

            var from = ns.Groups[1].Value;
            var targets = UsingLine().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(QualifiedName().Matches(text).Select(m => "Tollgate." + m.Groups[1].Value))
                .Where(to => to != from && !to.StartsWith(from + ".", StringComparison.Ordinal));
            edges.TryAdd(from, []);
            edges[from].UnionWith(targets);
        }

        var mutual = edges.SelectMany(e => e.Value.Where(to => Project(to) == Project(e.Key) && edges.TryGetValue(to, out var back) && back.Contains(e.Key))
                .Select(to => string.CompareOrdinal(e.Key, to) < 0 ? $"{e.Key} <-> {to}" : $"{to} <-> {e.Key}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Empty(mutual);
    }

    [Fact]
    public void OnlyTheStorageKernelTestsWhichDatabaseItRunsOn()
    {
        var kernel = Path.Combine(Src, "Tollgate.Storage", "Database") + Path.DirectorySeparatorChar;
        var leaks = SourceFiles()
            .Where(f => !f.Path.StartsWith(kernel, StringComparison.Ordinal))
            .SelectMany(f => f.Text.Split('\n').Select((line, i) => (f.Path, Line: i + 1, Text: line)))
            .Where(l => DialectTest().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(Src, l.Path)}:{l.Line}")
            .ToList();

        Assert.Empty(leaks);
    }

    private static string Project(string ns) => string.Join('.', ns.Split('.').Take(2));

    private static IEnumerable<(string Path, string Text)> SourceFiles() =>
        SourceTree.CSharpFiles(Src).Select(p => (p, File.ReadAllText(p)));

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using (Tollgate\.[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    // A type named through its folder, such as Server.Entitlements.Counters, imports that folder as a using would.
    [GeneratedRegex(@"\b((?:Core|Storage|Server|Client)\.[A-Z]\w+)\.[A-Z]")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"IsPostgres|NpgsqlConnection|SqliteConnection|bool postgres")]
    private static partial Regex DialectTest();
}
