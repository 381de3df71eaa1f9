using Tollgate.Client.Webhooks;

namespace Tollgate.Client.Tests;

public sealed class TollgateWebhookTests
{
    private const string Secret = "whsec_test_secret";
    private const string Payload = """{"id":"evt_1","type":"invoice.paid","created_at":"2026-03-10T12:00:00Z","data":{"id":"in_1"}}""";
    private static readonly DateTimeOffset At = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ASignedPayloadVerifiesAndParses()
    {
        var header = TollgateWebhook.Sign(Payload, Secret, At);

        var verified = TollgateWebhook.Verify(Payload, header, Secret, now: At.AddSeconds(30));

        Assert.StartsWith("t=1773144000,v1=", header, StringComparison.Ordinal);
        Assert.Equal(("evt_1", "invoice.paid", "in_1"), (verified.Id, verified.Type, verified.Data.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("wrong secret")]
    [InlineData("stale")]
    [InlineData("no header")]
    [InlineData("no signature")]
    public void AnythingElseIsRefused(string what)
    {
        var header = TollgateWebhook.Sign(Payload, Secret, At);
        var (payload, sent, secret, now) = what switch
        {
            "tampered" => (Payload.Replace("in_1", "in_2", StringComparison.Ordinal), header, Secret, At),
            "wrong secret" => (Payload, header, "whsec_other", At),
            "stale" => (Payload, header, Secret, At.AddMinutes(6)),
            "no header" => (Payload, null, Secret, At),
            _ => (Payload, "t=1773144000", Secret, At),
        };

        Assert.Throws<TollgateWebhookSignatureException>(() => TollgateWebhook.Verify(payload, sent, secret, now: now));
    }

    [Theory]
    [InlineData("not json", "The signed body is not JSON")]
    [InlineData("{}", "The signed body is not a Tollgate event")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created_at":"soon"}""", "The signed body is not a Tollgate event")]
    [InlineData("""{"id":"evt_1","type":"invoice.paid","created_at":1}""", "The signed body is not a Tollgate event")]
    public void ASignedBodyThatIsNoEventIsRefusedWithTheSignatureExceptionNotAJsonOne(string payload, string message)
    {
        var header = TollgateWebhook.Sign(payload, Secret, At);

        var refused = Assert.Throws<TollgateWebhookSignatureException>(() => TollgateWebhook.Verify(payload, header, Secret, now: At));

        Assert.StartsWith(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptySecretIsRefusedSoABodySignedWithNoSecretCannotPass()
    {
        var header = TollgateWebhook.Sign(Payload, "", At);

        Assert.Throws<TollgateWebhookSignatureException>(() => TollgateWebhook.Verify(Payload, header, "", now: At));
    }

    [Fact]
    public void AnyOfSeveralSignaturesMayMatchSoSecretsCanRotate()
    {
        var current = TollgateWebhook.Sign(Payload, Secret, At);
        var header = current.Replace(",v1=", ",v1=00ff,v1=", StringComparison.Ordinal);

        Assert.Equal("evt_1", TollgateWebhook.Verify(Payload, header, Secret, now: At).Id);
    }
}
