using System.Text.RegularExpressions;
using Tollgate.Core.Entitlements;

namespace Tollgate.Server.Http;

/// <summary>Field rules shared by the endpoints; each returns the problem text or null when the value is fine.</summary>
public static partial class Validate
{
    [GeneratedRegex("^[A-Za-z0-9._:@+|=-]{1,255}$")]
    private static partial Regex IdPattern();

    public static string? Id(string? value) =>
        value is not null && IdPattern().IsMatch(value) ? null : "must be 1-255 characters of letters, digits and . _ : @ + | = -";

    public static string? Amount(long value, long min = 1) =>
        value >= min && value <= QuotaRules.MaxAmount ? null : $"must be a whole number from {min} to {QuotaRules.MaxAmount:N0}";

    public static string? IdempotencyKey(string? value) =>
        value is null || (value.Length is >= 1 and <= 255 && !value.Any(char.IsControl)) ? null : "must be 1-255 printable characters";

    /// <summary>An absolute http(s) URL of at most 2048 characters without a user name or password (such as a return or webhook URL).</summary>
    public static string? HttpUrl(string? value) =>
        value is { Length: <= 2048 } && !value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo)
            ? null : "must be an absolute http or https URL of at most 2048 characters, without a user name or password";

    /// <summary>Collects the problems of several fields into one 400 that names each.</summary>
    public static Dictionary<string, string> Errors(params (string Field, string? Problem)[] checks) =>
        checks.Where(c => c.Problem is not null).ToDictionary(c => c.Field, c => c.Problem!);
}
