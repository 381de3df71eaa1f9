using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Payments;

/// <summary>What reaches the caller when Stripe cannot be reached, or something other than Stripe answers.</summary>
public abstract partial class PaymentsApiContract
{
    [Fact]
    public async Task AStripeThatCannotBeReachedIsA502NamingApiConnectionError()
    {
        // Port 1 on loopback: nothing listens, so every attempt is refused at once.
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: new Dictionary<string, string?> { ["Tollgate:Stripe:ApiBase"] = "http://127.0.0.1:1/" });
        await h.App.CustomerAsync("ada");

        var response = await h.PostCheckoutAsync("ada", "pro");

        var problem = await response.ReadAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(("stripe_error", 0, "api_connection_error"),
            (problem["error"].Value<string>(), problem["stripe_status"].Value<int>(), problem["stripe_type"].Value<string>()));
        Assert.StartsWith("Stripe could not be reached", problem["detail"].Value<string>(), StringComparison.Ordinal);
        Assert.Null(await h.ScalarAsync<string>("SELECT stripe_customer_id FROM customers WHERE id = 'ada'"));
    }

    [Fact]
    public async Task AStripeThatHangsIsA502AfterThreeAttemptsOfAttemptTimeoutNotAHungRequest()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: new Dictionary<string, string?> { ["Tollgate:Stripe:AttemptTimeout"] = "00:00:01" });
        await h.App.CustomerAsync("ada");
        var release = new TaskCompletionSource();
        var attempts = 0;
        h.Stripe.BeforePost = (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            return release.Task; // never answers until the test ends
        };

        try
        {
            var response = await h.PostCheckoutAsync("ada", "pro");

            var problem = await response.ReadAsync();
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal((0, "api_connection_error"), (problem["stripe_status"].Value<int>(), problem["stripe_type"].Value<string>()));
            Assert.Equal(3, Volatile.Read(ref attempts)); // Stripe.net's three attempts, each cut at a second
        }
        finally
        {
            release.SetResult();
        }
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:01:21")]
    public async Task AnAttemptTimeoutOutOfRangeStopsTheServerNamingIt(string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            PaymentsHarness.StartAsync(Kind, extra: new Dictionary<string, string?> { ["Tollgate:Stripe:AttemptTimeout"] = value }));

        Assert.Contains("Tollgate:Stripe:AttemptTimeout must be positive and at most 00:01:20", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecretKeyWithASpaceInsideStopsTheServerNamingIt()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            PaymentsHarness.StartAsync(Kind, extra: new Dictionary<string, string?> { ["Tollgate:Stripe:SecretKey"] = "sk_test_abc def" }));

        Assert.Contains("Tollgate:Stripe:SecretKey must have no spaces inside it", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProxysPageInsteadOfStripesErrorIsA502WithItsStatusAndTheStartOfThePage()
    {
        await using var h = await PaymentsHarness.StartAsync(Kind);
        await h.App.CustomerAsync("ada");
        h.Stripe.FailNext(1, 403, "<html><body>Forbidden by the egress proxy</body></html>");

        var response = await h.PostCheckoutAsync("ada", "pro");

        var problem = await response.ReadAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(("stripe_error", 403, "api_error", "Stripe answered 403: <html><body>Forbidden by the egress proxy</body></html>"),
            (problem["error"].Value<string>(), problem["stripe_status"].Value<int>(), problem["stripe_type"].Value<string>(),
                problem["detail"].Value<string>()));
        Assert.Single(h.Stripe.Requests); // a 403 is not retried
    }
}
