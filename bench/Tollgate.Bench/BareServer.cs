namespace Tollgate.Bench;

/// <summary>(a) The ceiling: Kestrel answering a consume-shaped JSON body with no work behind it.</summary>
public static class BareServer
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/entitlements/consume", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            await reader.ReadToEndAsync();
            return Results.Text("""{"allowed":true,"reason":"within_quota","limit":1000000000000,"used":1,"remaining":999999999999}""",
                "application/json");
        });
        app.MapGet("/healthz", () => "ok");
        await app.RunAsync();
    }
}
