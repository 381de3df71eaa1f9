using Microsoft.Extensions.Primitives;

namespace Tollgate.Server.Web.Admin;

/// <summary>How the console reads its form and query fields.</summary>
public static class FormText
{
    /// <summary>An empty form field means "any", as if the parameter were left off.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A posted field, trimmed; a blank one is absent, so the request's own validation names it as missing.</summary>
    public static string? Trimmed(StringValues value) => value.ToString().Trim() is { Length: > 0 } s ? s : null;
}
