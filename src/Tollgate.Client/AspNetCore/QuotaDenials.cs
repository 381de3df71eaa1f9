using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tollgate.Client.AspNetCore;

/// <summary>How <c>RequireQuota</c> answers the app's caller when Tollgate denies, unless <see cref="TollgateOptions.OnDenied"/> says otherwise.</summary>
public static class QuotaDenials
{
    private static readonly HashSet<string> Standard = ["type", "title", "status", "detail", "instance"];

    /// <summary>
    /// Tollgate's problem, passed on with Retry-After for a 429 (a quota's reset or a rate window's end), minus what an
    /// end user must not see: the LLM cost fields (every budget_*_usd field). A relative upgrade_url (/pricing) is made
    /// absolute against <paramref name="tollgate"/>, the server that serves that page.
    /// </summary>
    public static IResult Default(HttpContext http, EntitlementDeniedException denied, Uri tollgate)
    {
        if (RetryAfterSeconds(http, denied) is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var extensions = denied.Problem
            .Where(p => !Standard.Contains(p.Key) && !(p.Key.StartsWith("budget_", StringComparison.Ordinal) && p.Key.EndsWith("_usd", StringComparison.Ordinal)))
            .ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone());
        if (AbsoluteUpgradeUrl(denied.UpgradeUrl, tollgate) is { } upgrade)
        {
            extensions["upgrade_url"] = upgrade;
        }

        return Results.Problem(statusCode: (int)denied.Status, title: denied.Problem["title"]?.GetValue<string>(), detail: denied.Detail,
            type: denied.Problem["type"]?.GetValue<string>(), extensions: extensions);
    }

    /// <summary>
    /// Whole seconds until a retry can pass: Tollgate's own figure when it sent one (its clock decided the window), else
    /// counted from the reset on this app's clock; at least 1. Null for a denial that waiting cannot end (402).
    /// </summary>
    private static long? RetryAfterSeconds(HttpContext http, EntitlementDeniedException denied)
    {
        if (denied is not (QuotaExceededException or RateLimitedException))
        {
            return null;
        }

        if (denied.RetryAfter is { } after)
        {
            return Math.Max(1, (long)Math.Ceiling(after.TotalSeconds));
        }

        var reset = denied is RateLimitedException limited ? limited.ResetAt : denied.ResetsAt;
        if (reset is null)
        {
            return null;
        }

        var now = (http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        return Math.Max(1, (long)Math.Ceiling((reset.Value - now).TotalSeconds));
    }

    /// <summary>
    /// 403 customer_unknown: the caller is signed in to the app, but the app never created them in Tollgate (create
    /// customers at sign-up, or set <see cref="TollgateOptions.AutoCreateCustomers"/>). The Python and TypeScript gates
    /// answer the same.
    /// </summary>
    public static IResult CustomerUnknown() =>
        Results.Problem(statusCode: 403, title: "Forbidden", detail: "This account is not set up for this feature yet.",
            type: "https://tollgate.dev/errors/customer-unknown",
            extensions: new Dictionary<string, object?> { ["error"] = "customer_unknown" });

    /// <summary>
    /// 400 invalid_usage: Tollgate refused the customer or amount the gate resolved from the request, naming the fields.
    /// The Python and TypeScript gates answer the same.
    /// </summary>
    public static IResult InvalidUsage(TollgateException refused)
    {
        var fields = refused.Problem["errors"] is System.Text.Json.Nodes.JsonObject errors && errors.Count > 0
            ? string.Join(", ", errors.Select(e => e.Key).Order(StringComparer.Ordinal)) : "the request";
        return Results.Problem(statusCode: 400, title: "Bad Request", detail: $"The usage this request asks for cannot be counted: {fields}.",
            type: "https://tollgate.dev/errors/invalid-usage",
            extensions: new Dictionary<string, object?> { ["error"] = "invalid_usage" });
    }

    /// <summary>The upgrade link as an absolute URL: relative ones resolve against the Tollgate server.</summary>
    public static string? AbsoluteUpgradeUrl(string? upgradeUrl, Uri tollgate) =>
        string.IsNullOrEmpty(upgradeUrl) ? null
        : Uri.TryCreate(upgradeUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" ? absolute.ToString()
        : new Uri(tollgate, upgradeUrl).ToString();
}
