namespace Tollgate.Server.Web.Admin;

/// <summary>How the console reads its form and query fields.</summary>
public static class FormText
{
    /// <summary>An empty form field means "any", as if the parameter were left off.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
