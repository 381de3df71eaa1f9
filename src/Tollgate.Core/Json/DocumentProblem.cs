namespace Tollgate.Core.Json;

/// <summary>One thing wrong with an input document, named by its JSON path.</summary>
public sealed record DocumentProblem(string Path, string Message)
{
    /// <summary>"path: message"; a problem with the whole document (an event batch's item, named by its index) is the message alone.</summary>
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
