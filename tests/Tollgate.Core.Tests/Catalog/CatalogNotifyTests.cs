using Tollgate.Core.Catalog;

namespace Tollgate.Core.Tests.Catalog;

public sealed class CatalogNotifyTests
{
    private const string Base = """
        { "features": [ { "code": "api", "name": "API", "kind": "metered" } ],
          "plans": [ { "code": "free", "name": "Free", "prices": [], "features": [ { "feature_code": "api", "limit": 10 } ] } ] NOTIFY }
        """;

    private static CatalogParseResult Parse(string? notify) => CatalogDocument.Parse(Base.Replace(" NOTIFY", notify is null ? "" : ", \"notify\": " + notify,
        StringComparison.Ordinal));

    [Fact]
    public void WithoutNotifyEveryKindIsSentAndTheExportLeavesItOut()
    {
        var catalog = Parse(null).Catalog!;

        Assert.Null(catalog.NotifyEmail);
        Assert.DoesNotContain("notify", CatalogDocumentWriter.Write(catalog), StringComparison.Ordinal);
    }

    [Fact]
    public void KindsAreExportedInCanonicalOrderAndTheExportParsesBackTheSame()
    {
        var catalog = Parse("""{"email": ["trial_ending", "invoice_paid", "threshold"]}""").Catalog!;
        var exported = CatalogDocumentWriter.Write(catalog);
        var again = CatalogDocument.Parse(exported).Catalog!;

        Assert.Equal(["threshold", "invoice_paid", "trial_ending"], catalog.NotifyEmail);
        Assert.Equal(exported, CatalogDocumentWriter.Write(again));
    }

    [Fact]
    public void AnEmptyListSendsNothingAndIsKeptInTheExport()
    {
        var catalog = Parse("""{"email": []}""").Catalog!;

        Assert.Equal([], catalog.NotifyEmail);
        Assert.Equal([], CatalogDocument.Parse(CatalogDocumentWriter.Write(catalog)).Catalog!.NotifyEmail);
    }

    [Theory]
    [InlineData("""{"email": ["sms"]}""", "notify.email[0]", "must be one of threshold, exceeded, projected, budget, invoice_issued, invoice_paid, invoice_payment_failed, trial_ending")]
    [InlineData("""{"email": ["threshold", 3]}""", "notify.email[1]", "must be one of threshold, exceeded, projected, budget, invoice_issued, invoice_paid, invoice_payment_failed, trial_ending")]
    [InlineData("""{"email": ["exceeded", "exceeded"]}""", "notify.email[1]", "repeats 'exceeded'")]
    [InlineData("""{"email": "threshold"}""", "notify.email", "must be an array")]
    [InlineData("""{"slack": []}""", "notify.slack", "unknown field")]
    [InlineData("""["threshold"]""", "notify", "must be an object")]
    public void ABadNotifyIsRefusedWithItsPath(string notify, string path, string message)
    {
        var result = Parse(notify);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Path == path && p.Message == message);
    }
}
