using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>
/// Every C# block of docs/sdk.md compiles against the SDK as written: a user pastes them. Each block becomes the body
/// of a method of its own (its using directives lifted to the file), beside the names the prose gives it: a
/// <c>tollgate</c> client, the app's <c>builder</c> and <c>app</c>, a request id. A trial found two blocks that did not
/// compile (a property renamed, a long passed where an int goes); this is how the next one is caught.
/// </summary>
public sealed partial class DocSamplesCompileTests
{
    // What the blocks take from the page around them. Typed as the prose says, so a wrong member or type in a block
    // is a compile error here as it would be in the reader's app.
    private const string Scaffold = """
        public sealed record AppUser(string Id, string Email, string Name);

        public abstract class DocSamples
        {
            protected TollgateClient tollgate = null!;
            protected TollgateClient admin = null!;                 // the admin-key client the discount lines use
            protected AppUser user = null!;
            protected WebApplicationBuilder builder = null!;
            protected WebApplication app = null!;
            protected TollgateOptions o = null!;                    // inside AddTollgate(o => …)
            protected string requestId = "", subscriptionId = "", rawBody = "", secret = "";
            protected long actualTokens;
            protected IHttpClientFactory factory = null!;
            protected HttpRequest request = null!;
            protected static IResult GenerateCv() => Results.Ok();
            protected static IResult Analyze() => Results.Ok();
            protected static long BatchSize(HttpContext http) => 1;
            protected static void Show(string message) { }
        }
        """;

    private static readonly string[] Usings =
    [
        "System", "System.Net", "System.Net.Http", "System.Net.Http.Json", "System.Collections.Generic", "System.Threading.Tasks",
        "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Http", "Microsoft.Extensions.DependencyInjection",
        "Tollgate.Client", "Tollgate.Client.AspNetCore", "Tollgate.Client.Webhooks", "Tollgate.Contracts",
    ];

    [Fact]
    public void EveryCSharpBlockOfSdkMdCompilesAgainstTheSdk()
    {
        var markdown = File.ReadAllText(Path.Combine(Json.RepoRoot(), "docs", "sdk.md"));
        var blocks = Block().Matches(markdown).Select(m => (Line: markdown[..m.Index].Count(c => c == '\n') + 2, Code: m.Groups[1].Value)).ToList();
        var directives = new SortedSet<string>(Usings.Select(u => $"using {u};"), StringComparer.Ordinal);
        var methods = new StringBuilder();
        foreach (var (line, code) in blocks)
        {
            var body = new StringBuilder();
            foreach (var text in code.Split('\n'))
            {
                if (UsingDirective().IsMatch(text))
                {
                    directives.Add(text.Trim());
                }
                else
                {
                    body.AppendLine(text);
                }
            }

            // #line makes an error name the line of sdk.md it is on.
            methods.AppendLine($"    public async System.Threading.Tasks.Task Block{line}()\n    {{\n#line {line} \"docs/sdk.md\"\n{body}#line default\n    }}");
        }

        var source = $"{string.Join('\n', directives)}\n{Scaffold}\npublic sealed class Samples : DocSamples\n{{\n{methods}}}\n";
        var compilation = CSharpCompilation.Create("DocSamples", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        Assert.True(blocks.Count >= 10, $"found {blocks.Count} C# blocks in docs/sdk.md");
        Assert.Empty(errors);
    }

    /// <summary>The framework's assemblies (ASP.NET Core's among them) and every one this test loaded: the SDK, Polly, the resilience handler.</summary>
    private static IEnumerable<MetadataReference> References()
    {
        _ = typeof(TollgateClient);
        _ = typeof(Polly.Timeout.TimeoutRejectedException);
        _ = typeof(Microsoft.Extensions.DependencyInjection.ResilienceHttpClientBuilderExtensions);
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location);
        return platform.Concat(loaded).Distinct(StringComparer.Ordinal).Select(path => MetadataReference.CreateFromFile(path));
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"^\s*using\s+[A-Za-z0-9_.]+\s*;\s*(//.*)?$")]
    private static partial Regex UsingDirective();
}
