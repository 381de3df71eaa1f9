using System.Text.Json;
using System.Text.RegularExpressions;
using Tollgate.Contracts;
using Tollgate.Core.Entitlements;

namespace Tollgate.Server.Http;

/// <summary>Field rules shared by the endpoints; each returns the problem text or null when the value is fine.</summary>
public static partial class Validate
{
    [GeneratedRegex("^[A-Za-z0-9._:@+|=-]{1,255}$")]
    private static partial Regex IdPattern();

    public static string? Id(string? value) =>
        value is "." or ".." ? "must not be '.' or '..', which a URL resolves away (a member '..' named its organisation)"
        : value is not null && IdPattern().IsMatch(value) ? null : "must be 1-255 characters of letters, digits and . _ : @ + | = -";

    /// <summary>
    /// An amount of units (check, consume, reserve, commit, an event, a grant): one wording wherever it is refused, and a
    /// number past the most says it is too large.
    /// </summary>
    public static string? Amount(long value, long min = 1, long max = QuotaRules.MaxAmount) =>
        value > max ? AmountTooLarge(max) : value < min ? AmountNotWhole(min, max) : null;

    /// <summary>
    /// An amount as JSON sent it, for what the serializer refused before the endpoint saw it or an endpoint reads by hand:
    /// a whole number past 64 bits is too large (or, negative, below the range), not "not a whole number".
    /// </summary>
    public static (long? Value, string? Problem) Amount(JsonElement value, long min = 1, long max = QuotaRules.MaxAmount)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            return (null, AmountNotWhole(min, max));
        }

        if (value.TryGetInt64(out var number))
        {
            return Amount(number, min, max) is { } problem ? (null, problem) : (number, null);
        }

        if (WholeButNotInteger(value, min, max))
        {
            return (null, NotIntegerSyntax);
        }

        var whole = value.TryGetDecimal(out var d) ? d == decimal.Truncate(d) : value.TryGetDouble(out var f) && double.IsFinite(f) && f == Math.Floor(f);
        return (null, whole && !value.GetRawText().StartsWith('-') ? AmountTooLarge(max) : AmountNotWhole(min, max));
    }

    /// <summary>
    /// A whole number the field would take, from <paramref name="min"/> to <paramref name="max"/>, written with a fraction
    /// or an exponent (5.0, 1e1, -0.0): integer fields take it only in integer form, so the answer says that rather than
    /// "too large". One past the range is still told it is too large or small.
    /// </summary>
    public static bool WholeButNotInteger(JsonElement number, decimal min, decimal max) =>
        number.ValueKind == JsonValueKind.Number && !number.TryGetInt64(out _) && number.TryGetDecimal(out var d) && d == decimal.Truncate(d)
        && d >= min && d <= max;

    public const string NotIntegerSyntax = Tollgate.Core.Json.ElementReader.NotIntegerSyntax;

    /// <summary>The amount fields a JSON body binds, with their ranges, so a value the serializer refuses is described by the same rule.</summary>
    public static (long Min, long Max)? AmountRange(Type body, string field) =>
        field != "amount" ? null
        : body == typeof(CheckRequest) || body == typeof(ConsumeRequest) || body == typeof(ReserveRequest) ? (1, QuotaRules.MaxAmount)
        : body == typeof(CommitReservationRequest) ? (0, QuotaRules.MaxAmount)
        : null;

    private static string AmountTooLarge(long max) => $"is too large: at most {max:N0}";

    private static string AmountNotWhole(long min, long max) => $"must be a whole number from {min:N0} to {max:N0}";

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
