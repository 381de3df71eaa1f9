using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Tollgate.Server.Http;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>How a body the serializer refused is described, read from the body and the endpoint's request type.</summary>
public sealed class JsonProblemTests
{
    private sealed record Named(string Name);

    [Fact]
    public void AnObjectWhoseEveryFieldIsKnownAndPresentIsDescribedNotThrownOn()
    {
        var http = new DefaultHttpContext();
        http.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new AcceptsMetadata(["application/json"], typeof(Named))), "test"));
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("{\"name\": \"x\"}"));

        var options = JsonConfig.Create();
        options.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();

        var detail = JsonProblem.Describe(new JsonException("refused", "$", null, null), http, options);

        Assert.Equal("body: has the wrong type", detail.Message);
    }
}
