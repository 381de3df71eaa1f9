using System.Text;
using Tollgate.Server.Payments;

namespace Tollgate.Server.Tests.Payments;

/// <summary>
/// The webhook signature check (Stripe.net's, behind Tollgate's wrapper), on Stripe's documented header format and a vector
/// computed independently (Python's hmac).
/// </summary>
public sealed class StripeSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private const string Expected = "8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_test","object":"event"}""");
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void SignatureIsTheHexHmacOfTimestampDotBodyKeyedWithTheWholeSecret() =>
        Assert.Equal(Expected, Stripe.EventUtility.ComputeSignature(Secret, "1700000000", Encoding.UTF8.GetString(Body)));

    [Fact]
    public void HeaderWithTheMatchingV1IsValid() =>
        Assert.Null(StripeSignature.Verify($"t=1700000000,v1={Expected}", Body, Secret, SignedAt));

    [Fact]
    public void AnyOfSeveralV1SignaturesMayMatchWhileASecretRolls() =>
        Assert.Null(StripeSignature.Verify($"t=1700000000,v1={new string('0', 64)},v1={Expected},v0=6ffbb59b2300aae6", Body, Secret, SignedAt));

    [Fact]
    public void AV0SignatureAloneIsNotAccepted() =>
        Assert.NotNull(StripeSignature.Verify($"t=1700000000,v0={Expected}", Body, Secret, SignedAt));

    [Fact]
    public void AnotherSecretOrAnotherBodyDoesNotMatch()
    {
        Assert.Contains("No v1 signature matches", StripeSignature.Verify($"t=1700000000,v1={Expected}", Body, "whsec_other", SignedAt),
            StringComparison.Ordinal);
        Assert.NotNull(StripeSignature.Verify($"t=1700000000,v1={Expected}", Encoding.UTF8.GetBytes("""{"id":"evt_test"}"""), Secret, SignedAt));
        Assert.NotNull(StripeSignature.Verify($"t=1700000001,v1={Expected}", Body, Secret, SignedAt));
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(-300, true)]
    [InlineData(301, false)]
    [InlineData(-301, false)]
    public void TimestampMayBeUpTo300SecondsFromNow(int secondsLater, bool valid) =>
        Assert.Equal(valid, StripeSignature.Verify($"t=1700000000,v1={Expected}", Body, Secret, SignedAt.AddSeconds(secondsLater)) is null);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=8042376f")]
    [InlineData("t=soon,v1=8042376f")]
    [InlineData("t=1700000000")]
    [InlineData("t=99999999999,v1=8042376f")]
    [InlineData("t=1700000000,v1")]
    public void AMissingOrMalformedHeaderIsRefused(string? header) =>
        Assert.NotNull(StripeSignature.Verify(header, Body, Secret, SignedAt));
}
