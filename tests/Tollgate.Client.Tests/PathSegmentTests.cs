using System.Net;

namespace Tollgate.Client.Tests;

/// <summary>Ids go in URL paths; "." and ".." would be resolved away before the request left (a trial, stop 60).</summary>
public sealed class PathSegmentTests
{
    private sealed class Recording : HttpMessageHandler
    {
        public List<string> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        }
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("")] // names the collection: PUT v1/customers/ answered 405 (a trial, stop 72)
    public async Task AnIdOfDotsIsRefusedBeforeAnythingIsSentSoItCannotNameAnotherRoute(string id)
    {
        // DELETE v1/customers/acme/members/.. left as DELETE v1/customers/acme/, which erased the organisation.
        var handler = new Recording();
        var client = new TollgateClient(new HttpClient(handler) { BaseAddress = new Uri("http://tollgate.test/") });

        await Assert.ThrowsAsync<ArgumentException>(() => client.Members.DeleteAsync("acme", id));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetCustomerAsync(id));
        await client.Members.DeleteAsync("acme", "a..b"); // dots inside an id are the id's own

        Assert.Equal(["DELETE /v1/customers/acme/members/a..b"], handler.Sent);
    }
}
