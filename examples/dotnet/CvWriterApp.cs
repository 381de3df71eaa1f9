using System.Text.Json.Nodes;
using Tollgate.Client;
using Tollgate.Client.AspNetCore;
using Tollgate.Client.Llm;

namespace CvWriter;

/// <summary>
/// A CV writer that Tollgate meters: each CV takes one unit of <c>cv_generate</c>, held before the model call and
/// committed only when the CV was made, and the model call's tokens are logged as LLM cost for the user.
/// </summary>
public static class CvWriterApp
{
    /// <summary>The app, configured from <c>Tollgate:BaseAddress</c>, <c>Tollgate:ApiKey</c>, <c>OpenAI:BaseAddress</c> and <c>OpenAI:ApiKey</c>.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = builder.Configuration;
        builder.Services.AddTollgate(o =>
        {
            o.BaseAddress = new Uri(settings["Tollgate:BaseAddress"] ?? "http://localhost:5080/");
            o.ApiKey = settings["Tollgate:ApiKey"] ?? "";
            // A real app reads its session or token here; the header stands in for it.
            o.CustomerResolver = http => http.Request.Headers["X-User"].FirstOrDefault();
        });
        builder.Services.AddTollgateLlmCapture();
        builder.Services.AddHttpClient("openai", http =>
        {
            http.BaseAddress = new Uri(settings["OpenAI:BaseAddress"] ?? "https://api.openai.com/v1/");
            http.DefaultRequestHeaders.Authorization = new("Bearer", settings["OpenAI:ApiKey"] ?? "");
        }).AddHttpMessageHandler<TollgateLlmUsageHandler>(); // logs each call's tokens to Tollgate, in batches

        var app = builder.Build();
        app.MapPost("/cv", WriteCvAsync).RequireQuota("cv_generate");
        app.MapGet("/usage", async (HttpContext http, TollgateClient tollgate) =>
        {
            var usage = await tollgate.GetUsageAsync(http.Request.Headers["X-User"].FirstOrDefault() ?? "", http.RequestAborted);
            return TypedResults.Ok(new { cv_generate = usage.Features["cv_generate"] });
        });
        return app;
    }

    private static async Task<IResult> WriteCvAsync(CvRequest request, HttpContext http, IHttpClientFactory clients)
    {
        using var _ = TollgateLlm.For(http.Request.Headers["X-User"].FirstOrDefault() ?? "", "cv_generate");
        using var answer = await clients.CreateClient("openai").PostAsJsonAsync("chat/completions", new
        {
            model = "gpt-4o",
            messages = new[] { new { role = "user", content = $"Write a CV for a {request.Job}." } },
        }, http.RequestAborted);
        answer.EnsureSuccessStatusCode(); // a failed model call throws: the unit is released, not charged
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync(http.RequestAborted))!;
        return TypedResults.Ok(new { cv = body["choices"]![0]!["message"]!["content"]!.GetValue<string>() });
    }

    /// <summary>What the caller asks for.</summary>
    public sealed record CvRequest(string Job);
}
