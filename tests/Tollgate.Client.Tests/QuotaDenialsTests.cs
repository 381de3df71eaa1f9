using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Client.AspNetCore;

namespace Tollgate.Client.Tests;

/// <summary>The default answer RequireQuota gives an end user for a denial.</summary>
public sealed class QuotaDenialsTests
{
    private static readonly Uri Tollgate = new("http://tollgate.internal:5080/");

    private static async Task<(int Status, JsonObject Body)> AnswerAsync(EntitlementDeniedException denied)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();
        await QuotaDenials.Default(http, denied, Tollgate).ExecuteAsync(http);
        http.Response.Body.Position = 0;
        return (http.Response.StatusCode, (JsonObject)JsonNode.Parse(http.Response.Body)!);
    }

    // Parsed from text, as the SDK reads a problem off the wire.
    private static JsonObject Problem(string upgradeUrl) => (JsonObject)JsonNode.Parse($$"""
        { "type": "https://tollgate.dev/errors/budget-exceeded", "title": "Too many requests", "status": 429,
          "detail": "The LLM budget for 'chat' is used up.", "error": "budget_exceeded", "feature": "chat", "plan": "free",
          "limit": 10, "used": 10, "remaining": 0, "resets_at": "2026-05-01T00:00:00Z", "upgrade_url": "{{upgradeUrl}}",
          "budget_usd": 0.01, "budget_spent_usd": 0.011, "budget_reserved_usd": 0 }
        """)!;

    [Fact]
    public async Task BudgetDenialReachesTheEndUserWithoutTheCostFieldsAndWithAnAbsoluteUpgradeUrl()
    {
        var (status, body) = await AnswerAsync(new QuotaExceededException("budget_exceeded", "The LLM budget for 'chat' is used up.", Problem("/pricing")));

        Assert.Equal(429, status);
        Assert.Equal(("budget_exceeded", "chat", "http://tollgate.internal:5080/pricing"),
            (body["error"]!.GetValue<string>(), body["feature"]!.GetValue<string>(), body["upgrade_url"]!.GetValue<string>()));
        Assert.DoesNotContain(body, p => p.Key.StartsWith("budget_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAbsoluteUpgradeUrlIsKeptAsItIs()
    {
        var (_, body) = await AnswerAsync(new QuotaExceededException("quota_exceeded", "Used up.", Problem("https://app.example.com/upgrade")));

        Assert.Equal("https://app.example.com/upgrade", body["upgrade_url"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.TooManyRequests, (HttpStatusCode)body["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task RateLimitReachesTheEndUserWithTheRetryAfterTollgateSent()
    {
        var problem = (JsonObject)JsonNode.Parse("""
            { "type": "https://tollgate.dev/errors/rate-limited", "title": "Too many requests", "status": 429, "detail": "Slow down.",
              "error": "rate_limited", "feature": "chat", "plan": "free", "limit": 5, "remaining": 0,
              "reset_at": "2026-05-01T12:00:42Z", "upgrade_url": "/pricing", "retry_after": 42 }
            """)!;
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();

        await QuotaDenials.Default(http, new RateLimitedException("Slow down.", problem), Tollgate).ExecuteAsync(http);
        http.Response.Body.Position = 0;
        var body = (JsonObject)JsonNode.Parse(http.Response.Body)!;

        Assert.Equal((429, "42"), (http.Response.StatusCode, http.Response.Headers.RetryAfter.ToString()));
        Assert.Equal(("rate_limited", "2026-05-01T12:00:42Z"), (body["error"]!.GetValue<string>(), body["reset_at"]!.GetValue<string>()));
    }
}
