using System.Net;
using Tollgate.Server.Alerts;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Email;

/// <summary>What customers receive: invoices with the printable invoice, trial endings, escaping, templates, the catalog's notify.</summary>
public abstract class EmailContentContract(SharedServer shared) : ApiContract(shared, wholeClass: false)
{
    [Fact]
    public async Task AnIssuedAndAPaidInvoiceAreMailedWithThePrintableInvoiceAsHtmlAndItsPdfAttached()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.SubscribeAsync("c1", "pro");
        var invoice = (await app.InvoicesAsync("c1"))[0];
        var number = invoice["number"].Value<string>()!;
        await app.Admin.PostAsync($"/v1/invoices/{invoice["id"].Value<string>()}/mark-paid", null);
        var mails = await smtp.WaitForAsync(2);
        var issued = mails.Single(m => m.Subject.StartsWith("Invoice ", StringComparison.Ordinal));
        var paid = mails.Single(m => m.Subject.StartsWith("Payment received", StringComparison.Ordinal));
        var printable = await (await app.Admin.GetAsync($"/v1/invoices/{invoice["id"].Value<string>()}/html")).Content.ReadAsStringAsync();

        Assert.Equal($"Invoice {number}: $20.00 due 29 Apr 2026", issued.Subject);
        Assert.Equal(["c1@example.com"], issued.RcptTos);
        Assert.Equal(["text/plain", "text/html", "application/pdf"], issued.Parts.Select(p => p.ContentType));
        var attached = issued.Parts.Single(p => p.ContentType == "application/pdf");
        var pdf = PdfText.Squeezed(await PdfText.ReadAsync(attached.Bytes()));
        Assert.Equal($"invoice-{number}.pdf", attached.FileName);
        Assert.Contains($"Invoice number {number}", pdf, StringComparison.Ordinal);
        // Each PDF is drawn when its message is sent, from the invoice as it stands then (here it may be paid already); the receipt's is paid.
        Assert.Contains("Subtotal $20.00", pdf, StringComparison.Ordinal);
        Assert.Contains("Status PAID", PdfText.Squeezed(await PdfText.ReadAsync(paid.Parts.Single(p => p.ContentType == "application/pdf").Bytes())),
            StringComparison.Ordinal);
        Assert.Contains($"Your invoice {number} for 30 Mar 2026 to 30 Apr 2026 is ready: $20.00 due 29 Apr 2026.", issued.Body("text/plain"),
            StringComparison.Ordinal);
        Assert.Contains($"<title>Invoice {number}</title>", issued.Body("text/html"), StringComparison.Ordinal);
        Assert.Contains("is ready: <strong>$20.00 due 29 Apr 2026</strong>", issued.Body("text/html"), StringComparison.Ordinal);
        // Below the note, the e-mail is the printable invoice itself, as GET /v1/invoices/{id}/html serves it.
        var sheet = printable[printable.IndexOf("<main class=\"sheet\">", StringComparison.Ordinal)..].ReplaceLineEndings("\n").TrimEnd();
        Assert.Contains(sheet, paid.Body("text/html").ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal($"Payment received for invoice {number}", paid.Subject);
    }

    [Fact]
    public async Task ATrialEndingIsMailedThreeDaysBeforeTheEndOnce()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp, notify: """{"email": ["trial_ending"]}"""), EmailLog.Start);
        await app.CustomerAsync("c1");
        await app.SubscribeAsync("c1", "pro", trialDays: 14);

        await app.AdvanceAsync(TimeSpan.FromDays(11) + TimeSpan.FromHours(1));
        var mail = Assert.Single(await smtp.WaitForAsync(1));
        await app.AdvanceAsync(TimeSpan.FromDays(5));

        Assert.Equal("Your Pro trial ends on 13 Apr 2026", mail.Subject);
        Assert.Contains("Your trial of <strong>Pro</strong> ends on <strong>13 Apr 2026</strong>.", mail.Body("text/html"), StringComparison.Ordinal);
        Assert.Equal(["trial_ending"], (await EmailLog.ListAsync(app)).Select(m => m!["kind"].Value<string>()));
    }

    [Fact]
    public async Task AnLlmBudgetAlertIsMailedInDollarsLikeEveryOtherAlert()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = ApiSetup.LlmCatalog();
        foreach (var (key, value) in smtp.Settings())
        {
            settings[key] = value;
        }

        settings["Tollgate:Email:PollInterval"] = "00:00:00.050";
        await using var app = await StartAsync(settings, EmailLog.Start);
        await app.CustomerAsync("c1");

        // $0.0085 of the free plan's $0.01 budget: past 80 %.
        await app.Admin.PostJsonAsync("/v1/llm/usage", new { customer = "c1", feature = "chat", model = "gpt-4o", input_tokens = 3400, request_id = "r1" });
        var mail = Assert.Single(await smtp.WaitForAsync(1));
        var logged = (await EmailLog.QueuedAsync(app, 1))[0]!;

        Assert.Equal(("c1@example.com", "You have used 80% of your AI budget"), (mail.To, mail.Subject));
        Assert.Contains("You have used $0.0085 of your $0.01 LLM budget this month.", mail.Body("text/plain"), StringComparison.Ordinal);
        Assert.Contains("You have spent <strong>$0.0085 of your $0.01</strong> AI budget. It renews on 1 Apr 2026.", mail.Body("text/html"),
            StringComparison.Ordinal);
        Assert.Equal(("budget", "budget.threshold_crossed"), (logged["kind"].Value<string>(), logged["event"].Value<string>()));
    }

    [Fact]
    public async Task CustomerDataIsHtmlEscapedInTheHtmlPartAndLeftAsIsInTheText()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.Admin.PutJsonAsync("/v1/customers/c1", new { email = "c1@example.com", name = "<script>alert(1)</script> & Co" });

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var mail = Assert.Single(await smtp.WaitForAsync(1));

        Assert.Contains("Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co,", mail.Body("text/html"), StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", mail.Body("text/html"), StringComparison.Ordinal);
        Assert.Contains("Hello <script>alert(1)</script> & Co,", mail.Body("text/plain"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATemplateInTheConfiguredFolderReplacesTheEmbeddedOne()
    {
        var folder = Directory.CreateTempSubdirectory("tollgate-email-templates-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "threshold.txt"), "Subject: {{customer_name}}, {{threshold}}% gone\n\nCustom: {{message}}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "threshold.html"), "<p class=\"custom\">{{message}}</p>");
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp, extra: ("Tollgate:Email:TemplatesPath", folder)), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var mail = Assert.Single(await smtp.WaitForAsync(1));

        Assert.Equal("c1@example.com, 80% gone", mail.Subject);
        Assert.Equal("Custom: You have used 8 of 10 CVs this month.\n", mail.Body("text/plain").ReplaceLineEndings("\n"));
        Assert.Equal("<p class=\"custom\">You have used 8 of 10 CVs this month.</p>", mail.Body("text/html").TrimEnd());
    }

    [Fact]
    public async Task TheCatalogsNotifyListLeavesOutTheKindsItDoesNotName()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp, notify: """{"email": ["exceeded"]}"""), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8); // 80 %: a threshold alert, not named
        await app.ConsumeAsync("c1", "cv_generate", 2); // the limit: exceeded, named
        var mail = Assert.Single(await smtp.WaitForAsync(1));
        var alerts = await app.Get<AlertStore>().ListAsync("c1", unreadOnly: false, limit: 10);

        Assert.Equal("You have reached your CV generation limit", mail.Subject);
        Assert.Equal(["exceeded"], (await EmailLog.ListAsync(app)).Select(m => m!["kind"].Value<string>()));
        Assert.Equal(["exceeded", "threshold"], alerts.Select(a => a.Kind.ToString().ToLowerInvariant()).Order()); // both fired, one e-mailed
    }

    [Fact]
    public async Task NotifyIsExportedCanonicallyAndABadKindIsRefusedByItsPath()
    {
        await using var app = await StartAsync(EmailLog.Settings(smtp: null, notify: """{"email": ["trial_ending", "threshold"]}"""), EmailLog.Start);

        var exported = await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync();
        var bad = exported.DeepClone();
        bad["notify"] = System.Text.Json.Nodes.JsonNode.Parse("""{"email": ["threshold", "sms", "threshold"], "slack": true}""");
        var refused = await app.Admin.PutJsonAsync("/v1/admin/catalog", bad.ToJsonString());
        var errors = (await refused.ReadAsync())["errors"]!.AsArray().Select(e => e.Value<string>()).ToList();
        var after = await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync();

        Assert.Equal("""{"email":["threshold","trial_ending"]}""", exported["notify"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("notify.email[1]: must be one of threshold, exceeded, projected, budget, invoice_issued, invoice_paid, invoice_payment_failed, trial_ending",
            errors);
        Assert.Contains("notify.email[2]: repeats 'threshold'", errors);
        Assert.Contains("notify.slack: unknown field", errors);
        Assert.Equal(exported["notify"]!.ToJsonString(), after["notify"]!.ToJsonString());
    }

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("two@@example.com")]
    [InlineData("Ada <ada@example.com>")]
    [InlineData("ada@example.com\r\nBcc: all@example.com")]
    [InlineData("ada@localhost")]
    [InlineData("ada..b@example.com")]
    [InlineData("ada@-example.com")]
    [InlineData("ada@example.com,bob@example.com")]
    public async Task ABadEmailAddressIsRefusedWith400NamingEmailAndNothingIsWritten(string email)
    {
        await using var app = await StartSharedAsync(EmailLog.Settings(smtp: null), EmailLog.Start);

        var response = await app.Admin.PutJsonAsync("/v1/customers/c1", new { email });
        var problem = await response.ReadAsync();
        var after = await app.Admin.GetAsync("/v1/customers/c1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("must be an e-mail address such as name@example.com, of at most 254 characters", problem["errors"]!["email"].Value<string>());
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}

public sealed class SqliteEmailContentTests(SharedServer shared) : EmailContentContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresEmailContentTests(SharedServer shared) : EmailContentContract(shared), IClassFixture<SharedServer>
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
