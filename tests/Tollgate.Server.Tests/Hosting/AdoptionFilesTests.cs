using System.Text.Json;
using System.Text.RegularExpressions;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>The files a new adopter reads first stay true: every documented setting is in the example settings file.</summary>
public sealed partial class AdoptionFilesTests
{
    [Fact]
    public void EverySettingInTheConfigurationDocIsInTheExampleSettingsFile()
    {
        var documented = DocumentedSettings(File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", "configuration.md")));
        using var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(Json.RepoRoot(), "appsettings.example.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Flatten(example.RootElement, "", present);

        Assert.True(documented.Count > 30, $"only {documented.Count} settings were read from configuration.md");
        var missing = documented.Where(s => !present.Contains(s) && !present.Any(p => p.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(missing.Count == 0, "not in appsettings.example.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheRepositoryCarriesALicenceAChangelogAContributingGuideAndADeployGuide()
    {
        var root = Json.RepoRoot();

        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(root, "LICENSE")), StringComparison.Ordinal);
        Assert.Contains("Version 2.0", File.ReadAllText(Path.Combine(root, "LICENSE")), StringComparison.Ordinal);
        Assert.Contains("## Unreleased", File.ReadAllText(Path.Combine(root, "CHANGELOG.md")), StringComparison.Ordinal);
        Assert.Contains("./test.sh", File.ReadAllText(Path.Combine(root, "CONTRIBUTING.md")), StringComparison.Ordinal);
        var deploy = File.ReadAllText(Path.Combine(root, "docs", "deploy.md"));
        Assert.Contains("-p:PublishSingleFile=true", deploy, StringComparison.Ordinal);
        Assert.Contains("--self-contained", deploy, StringComparison.Ordinal);
        Assert.Contains("[Service]", deploy, StringComparison.Ordinal);
    }

    /// <summary>The first cell of each settings row: `A:B:C` and, after it, sibling names such as `Address` for A:B:Address.</summary>
    private static List<string> DocumentedSettings(string markdown)
    {
        var settings = new List<string>();
        var rows = markdown.Split('\n').SkipWhile(l => !l.StartsWith("| setting |", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => l.StartsWith('|'));
        foreach (var line in rows)
        {
            var cell = line.Split('|')[1];
            var names = Backticked().Matches(cell).Select(m => m.Groups[1].Value).ToList();
            var first = names[0].Replace(":*", "", StringComparison.Ordinal);
            settings.Add(first);
            if (first.Contains(':', StringComparison.Ordinal))
            {
                var parent = first[..first.LastIndexOf(':')];
                settings.AddRange(names.Skip(1).Where(n => SimpleName().IsMatch(n)).Select(n => $"{parent}:{n}"));
            }
        }

        return settings;
    }

    private static void Flatten(JsonElement element, string path, HashSet<string> into)
    {
        if (path.Length > 0)
        {
            into.Add(path);
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Flatten(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}", into);
            }
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex("^[A-Za-z]+$")]
    private static partial Regex SimpleName();
}
