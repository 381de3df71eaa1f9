using System.Text.RegularExpressions;

namespace Tollgate.Core.Tests.Architecture;

/// <summary>
/// A capability (a folder of src/Tollgate.Server) is reached through its public services; its internal types (SQL
/// statements, row shapes, counters) are its store, and no other capability names them. The kernel
/// (src/Tollgate.Storage) cannot import a capability at all: it is a project the server references, not the other way.
/// </summary>
public sealed partial class CapabilityBoundaryTests
{
    private static readonly string Server = Path.Combine(SourceTree.Root, "src", "Tollgate.Server");

    /// <summary>
    /// Reaches into another capability's store that were there before the capabilities moved into the server, each kept
    /// until the step that moves its capability (docs/architecture.md). The list may only shrink.
    /// </summary>
    private static readonly HashSet<string> Known =
    [
        "Billing -> Customers.CustomerLock", "Billing -> Customers.SubscriptionRow", "Billing -> Discounts.DiscountHistory",
        "Billing -> Discounts.DiscountWriter", "Billing -> Entitlements.CounterRow", "Entitlements -> Grants.CreditGrantRows",
        "Grants -> Billing.InvoiceWriter", "Llm -> Entitlements.CounterAdd", "Llm -> Entitlements.Counters", "Llm -> Entitlements.GrantDraw",
        "Llm -> Entitlements.LlmGrantDraws", "Llm -> Entitlements.MemberShares", "Payments -> Billing.InvoiceWriter",
        "Payments -> Billing.OverageBilling", "Payments -> Billing.SubscriptionWriter", "Payments -> Discounts.DiscountWriter",
        "Web -> Grants.GrantAmount",
    ];

    [Fact]
    public void NoCapabilityNamesAnotherCapabilitysInternalTypes()
    {
        var files = ServerFiles();
        var internals = files.SelectMany(f => InternalType().Matches(f.Text).Select(m => (f.Folder, Type: m.Groups[1].Value))).ToList();

        var reaches = (from f in files
                       from t in internals
                       where t.Folder != f.Folder && f.Names.Contains(t.Type)
                       select $"{f.Folder} -> {t.Folder}.{t.Type}").Distinct().Where(r => !Known.Contains(r)).Order(StringComparer.Ordinal).ToList();

        Assert.Empty(reaches);
    }

    [Fact]
    public void TheListOfKnownReachesHoldsNoneThatIsGone()
    {
        // A reach that was closed must leave the list, so the list only ever describes the code as it is.
        var files = ServerFiles();
        var stale = Known.Where(k =>
        {
            var (from, target) = (k.Split(" -> ")[0], k.Split(" -> ")[1]);
            var type = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
            return !files.Any(f => f.Folder == from && f.Names.Contains(type));
        }).ToList();

        Assert.Empty(stale);
    }

    // Each file's code (comments and literals left out) and the identifiers in it, split once rather than searched per type.
    private static List<(string Folder, string Text, HashSet<string> Names)> ServerFiles() =>
        [.. SourceTree.CSharpFiles(Server).Select(p => (Folder(p), Code: CommentOrText().Replace(File.ReadAllText(p), " ")))
            .Select(f => (f.Item1, f.Code, Identifier().Matches(f.Code).Select(m => m.Value).ToHashSet(StringComparer.Ordinal)))];

    private static string Folder(string path)
    {
        var relative = Path.GetRelativePath(Server, path).Split(Path.DirectorySeparatorChar);
        return relative.Length > 1 ? relative[0] : "(root)";
    }

    [GeneratedRegex(@"^internal (?:(?:sealed|static|partial|abstract|readonly) )*(?:class|record|struct|enum|interface)(?: struct| class)? (\w+)", RegexOptions.Multiline)]
    private static partial Regex InternalType();

    // Comments and string literals name types in prose ("Idempotency-Key"); only code reaches.
    [GeneratedRegex(""""(?s)'(?:\\.|[^'\\\n])'|""".*?"""|@?\$*"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/"""")]
    private static partial Regex CommentOrText();

    [GeneratedRegex(@"\b\w+\b")]
    private static partial Regex Identifier();
}
