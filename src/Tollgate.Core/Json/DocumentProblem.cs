namespace Tollgate.Core.Json;

/// <summary>One thing wrong with an input document, named by its JSON path.</summary>
public sealed record DocumentProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
