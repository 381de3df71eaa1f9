using System.Net;
using System.Net.Http.Json;
using System.Text;
using CvWriter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>
/// examples/dotnet, run as a user would meet it: a gated route, a model call (a loopback fake of OpenAI), and both the
/// quota and the LLM call visible in a real Tollgate server (the embedded career-coach catalog: 2 CVs on free).
/// </summary>
public sealed class ExampleAppTests
{
    [Fact]
    public async Task TheExampleGatesCvsAndLogsTheirModelCalls()
    {
        await using var tollgate = await TollgateApp.StartAsync(StoreKind.Sqlite, kestrel: true);
        await using var provider = await FakeModelProvider.StartAsync();
        await tollgate.CustomerAsync("ada");
        var app = CvWriterApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(tollgate.Clock!); // calls are stamped on the server's test clock, not in its future
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Tollgate:BaseAddress"] = tollgate.BaseAddress!.ToString(),
                ["Tollgate:ApiKey"] = TollgateApp.AdminKey,
                ["OpenAI:BaseAddress"] = new Uri(provider.Address, "v1/").ToString(),
                ["OpenAI:ApiKey"] = "sk-test",
            });
        });
        await app.StartAsync();
        using var caller = new HttpClient
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        };

        var written = new[] { await PostCvAsync(caller, "ada"), await PostCvAsync(caller, "ada") };
        var refused = await PostCvAsync(caller, "ada");
        var unknown = await PostCvAsync(caller, "never-signed-up");
        var usage = await caller.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/usage") { Headers = { { "X-User", "ada" } } });
        await app.StopAsync(); // the capture's shutdown flush sends the logged calls
        await app.DisposeAsync();
        var calls = await ListCallsAsync(tollgate);

        Assert.All(written, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal("Here is your CV.", (await written[0].Content.ReadFromJsonAsync<Dictionary<string, string>>())!["cv"]);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.Contains("\"used\":2", await usage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var call = Assert.Single(calls); // the fake answers one provider id, so both calls are one logged call
        Assert.Equal(("chatcmpl-o3-1", "cv_generate"), (call.RequestId, call.Feature));
    }

    private static Task<HttpResponseMessage> PostCvAsync(HttpClient caller, string user) => caller.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/cv")
    {
        Headers = { { "X-User", user } },
        Content = new StringContent("""{"job": "SRE"}""", Encoding.UTF8, "application/json"),
    });

    private static async Task<IReadOnlyList<LlmCallRecordResponse>> ListCallsAsync(TollgateApp tollgate) =>
        (await new TollgateClient(tollgate.Admin).Llm.ListCallsAsync(new LlmCallQuery("ada"))).Data;
}
