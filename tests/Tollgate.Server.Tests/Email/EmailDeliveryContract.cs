using System.Net;
using Tollgate.Core.Alerts;
using Tollgate.Server.Alerts;
using Tollgate.Storage.Database;
using Tollgate.Server.Email;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Email;

/// <summary>E-mail through the outbox to a real SMTP server (aiosmtpd on loopback): sending, retries, dead letters, replay, once only.</summary>
public abstract class EmailDeliveryContract : ApiContract
{
    [Fact]
    public async Task AThresholdCrossingIsMailedToTheCustomerAsTextAndHtmlAlternatives()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var mail = (await smtp.WaitForAsync(1))[0];
        var logged = await EmailLog.SettledAsync(app, (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!, 1, "sent");

        Assert.Equal(["c1@example.com"], mail.RcptTos);
        Assert.Equal("billing@tollgate.test", mail.MailFrom);
        Assert.Equal(("c1@example.com", "You have used 80% of your CV generation"), (mail.To, mail.Subject));
        Assert.Equal("multipart/alternative", mail.ContentType);
        Assert.Equal(["text/plain", "text/html"], mail.Parts.Select(p => p.ContentType));
        Assert.Contains("You have used 8 of 10 CVs this month.", mail.Body("text/plain"), StringComparison.Ordinal);
        Assert.Contains("<strong>8 of 10</strong>", mail.Body("text/html"), StringComparison.Ordinal);
        Assert.Equal(("threshold", "usage.threshold_crossed", "c1", "c1@example.com", "You have used 80% of your CV generation"),
            (logged["kind"].Value<string>(), logged["event"].Value<string>(), logged["customer"].Value<string>(), logged["recipient"].Value<string>(),
                logged["subject"].Value<string>()));
        Assert.Equal($"<{logged["id"].Value<string>()}@tollgate>", mail.MessageId);
        Assert.Equal(250, logged["attempt_log"]![0]!["smtp_status"].Value<int>());
    }

    [Fact]
    public async Task TheSameEventQueuedTwiceMailsItsRecipientOnceAndASentMessageCannotBeReplayed()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.CustomerAsync("c1");
        var alert = new UsageAlert("alr_once", "c1", "cv_generate", AlertKind.Threshold, 80, AlertSeverity.Info, 8, 10, "You have used 8 of 10 CVs.",
            EmailLog.Start, EmailLog.Start.AddMonths(1), null, EmailLog.Start, null);

        var written = new List<bool>();
        for (var i = 0; i < 2; i++)
        {
            // As a retried batch or a second node would: the same event, in a transaction of its own.
            written.Add(await app.Get<TollgateDatabase>().WriteAsync((c, tx) =>
                EmailOutbox.EnqueueAsync(c, tx, "usage.threshold_crossed", AlertPayload.Of(alert), EmailLog.Start, app.Clock, CancellationToken.None)));
        }

        await smtp.WaitForAsync(1);
        var id = (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!;
        await EmailLog.SettledAsync(app, id, 1, "sent");
        var replay = await app.Admin.PostAsync($"/v1/admin/emails/{id}/replay", null);
        await app.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal([true, false], written);
        Assert.Single(await EmailLog.ListAsync(app));
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal("email_already_sent", (await replay.ReadAsync())["error"].Value<string>());
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task AMessageTheServerRefusesFor451IsRetriedAfterItsBackoffAndThenSent()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await smtp.RefuseAsync(451, 1);
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!;
        var refused = await EmailLog.SettledAsync(app, id, 1);
        var next = EmailLog.Instant(refused["next_attempt_at"]);
        await app.AdvanceToAsync(next);
        var sent = await EmailLog.SettledAsync(app, id, 2, "sent");
        var mails = await smtp.WaitForAsync(1);

        Assert.Equal("pending", refused["status"].Value<string>());
        Assert.Equal(451, refused["attempt_log"]![0]!["smtp_status"].Value<int>());
        Assert.InRange(next - EmailLog.Start, TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(36)); // 30 s ± 20 %
        Assert.Equal([451, 250], sent["attempt_log"]!.AsArray().Select(a => a!["smtp_status"].Value<int>()));
        Assert.Equal("You have used 80% of your CV generation", Assert.Single(mails).Subject);
    }

    [Fact]
    public async Task AMessageRefusedUpToTheAttemptLimitIsDeadAndIsSentOnceReplayed()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await smtp.RefuseAsync(451);
        await using var app = await StartAsync(EmailLog.Settings(smtp, extra: ("Tollgate:Email:MaxAttempts", "3")), EmailLog.Start);
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!;

        var message = await EmailLog.SettledAsync(app, id, 1);
        while (message["status"].Value<string>() == "pending")
        {
            var attempts = message["attempts"].Value<int>();
            await app.AdvanceToAsync(EmailLog.Instant(message["next_attempt_at"]));
            message = await EmailLog.SettledAsync(app, id, attempts + 1);
        }

        var dead = await EmailLog.ListAsync(app, "?status=dead");
        await smtp.AcceptAsync();
        var replay = await app.Admin.PostAsync($"/v1/admin/emails/{id}/replay", null);
        var sent = await EmailLog.SettledAsync(app, id, 4, "sent");

        Assert.Equal(("dead", 3), (message["status"].Value<string>(), message["attempts"].Value<int>()));
        Assert.Equal([id], dead.Select(d => d!["id"].Value<string>()));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal([451, 451, 451, 250], sent["attempt_log"]!.AsArray().Select(a => a!["smtp_status"].Value<int>()));
        Assert.Single(await smtp.WaitForAsync(1));
    }

    [Fact]
    public async Task AFinal550RefusalIsDeadAtOnceWithTheServersReply()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await smtp.RefuseAsync(550);
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!;
        var dead = await EmailLog.SettledAsync(app, id, 1, "dead");

        Assert.Equal((550, 1), (dead["attempt_log"]![0]!["smtp_status"].Value<int>(), dead["attempts"].Value<int>()));
        Assert.Contains("Refused by the test", dead["last_error"].Value<string>(), StringComparison.Ordinal);
        Assert.Null(dead["next_attempt_at"].Value<string>());
    }

    [Fact]
    public async Task WithAUsernameSetTheMessageIsSentAfterAuthenticatingAsThatUser()
    {
        await using var smtp = await SmtpTestServer.StartAsync("tollgate", "s3cret pass:word");
        await using var app = await StartAsync(EmailLog.Settings(smtp, extra: [("Tollgate:Email:Smtp:Username", "tollgate"),
            ("Tollgate:Email:Smtp:Password", "s3cret pass:word")]), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var mail = (await smtp.WaitForAsync(1))[0];
        var sent = await EmailLog.SettledAsync(app, (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!, 1, "sent");

        Assert.Equal(("tollgate", "You have used 80% of your CV generation"), (mail.Login, mail.Subject));
        Assert.Equal(250, sent["attempt_log"]![0]!["smtp_status"].Value<int>());
    }

    [Fact]
    public async Task RejectedCredentialsAreRetriedWithTheServersReplyRatherThanDeadAtOnce()
    {
        await using var smtp = await SmtpTestServer.StartAsync("tollgate", "s3cret");
        await using var app = await StartAsync(EmailLog.Settings(smtp, extra: [("Tollgate:Email:Smtp:Username", "tollgate"),
            ("Tollgate:Email:Smtp:Password", "wrong")]), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var refused = await EmailLog.SettledAsync(app, (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!, 1);

        Assert.Equal("pending", refused["status"].Value<string>());
        Assert.NotNull(refused["next_attempt_at"].Value<string>());
        Assert.Contains("Authentication credentials invalid", refused["last_error"].Value<string>(), StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Theory]
    [InlineData(SmtpTestServer.Tls.StartTls)]
    [InlineData(SmtpTestServer.Tls.Implicit)]
    public async Task OverTlsTheMessageReachesARelayWhosePinnedSelfSignedCertificateIsTrusted(SmtpTestServer.Tls tls)
    {
        await using var smtp = await SmtpTestServer.StartAsync(tls: tls);
        await using var app = await StartAsync(EmailLog.Settings(smtp, extra: [
            ("Tollgate:Email:Smtp:UseStartTls", tls == SmtpTestServer.Tls.StartTls ? "true" : "false"),
            ("Tollgate:Email:Smtp:UseImplicitTls", tls == SmtpTestServer.Tls.Implicit ? "true" : "false"),
            ("Tollgate:Email:Smtp:CertificateSha256", string.Join(':', smtp.CertificateSha256!.Chunk(2).Select(c => new string(c))))]),
            EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var mail = (await smtp.WaitForAsync(1))[0];
        var sent = await EmailLog.SettledAsync(app, (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!, 1, "sent");

        Assert.Equal((true, "You have used 80% of your CV generation"), (mail.OverTls, mail.Subject));
        Assert.Equal(250, sent["attempt_log"]![0]!["smtp_status"].Value<int>());
    }

    [Fact]
    public async Task ARelayWhoseCertificateIsNotTrustedGetsNothingAndTheMessageIsRetried()
    {
        await using var smtp = await SmtpTestServer.StartAsync(tls: SmtpTestServer.Tls.StartTls);
        await using var app = await StartAsync(EmailLog.Settings(smtp, extra: ("Tollgate:Email:Smtp:UseStartTls", "true")), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var refused = await EmailLog.SettledAsync(app, (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!, 1);

        Assert.Equal("pending", refused["status"].Value<string>());
        Assert.Contains("certificate", refused["last_error"].Value<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task APinnedCertificateThatIsNotAThumbprintStopsTheServerNamingTheSetting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            StartAsync(EmailLog.Settings(smtp: null, extra: ("Tollgate:Email:Smtp:CertificateSha256", "AB:CD")), EmailLog.Start));

        Assert.Contains("Tollgate:Email:Smtp:CertificateSha256 must be a SHA-256 thumbprint", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutSmtpSettingsNothingIsSentAndTheMessageIsLoggedAsSkipped()
    {
        await using var app = await StartAsync(EmailLog.Settings(smtp: null), EmailLog.Start);
        await app.CustomerAsync("c1");

        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!;
        var skipped = await EmailLog.SettledAsync(app, id, 0, "skipped");

        Assert.Equal(0, skipped["attempts"].Value<int>());
        Assert.Equal("SMTP is not configured (Tollgate:Email:Smtp:Host and From)", skipped["last_error"].Value<string>());
    }

    [Fact]
    public async Task MetricsCountEmailDeliveriesByOutcome()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await smtp.RefuseAsync(451, 1);
        await using var app = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await app.CustomerAsync("c1");
        await app.ConsumeAsync("c1", "cv_generate", 8);
        var id = (await EmailLog.QueuedAsync(app, 1))[0]!["id"].Value<string>()!;
        await app.AdvanceToAsync(EmailLog.Instant((await EmailLog.SettledAsync(app, id, 1))["next_attempt_at"]));
        await EmailLog.SettledAsync(app, id, 2, "sent");

        var text = await (await app.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Contains("# TYPE tollgate_email_deliveries_total counter", text, StringComparison.Ordinal);
        Assert.Contains("tollgate_email_deliveries_total{outcome=\"retrying\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("tollgate_email_deliveries_total{outcome=\"sent\"} 1", text, StringComparison.Ordinal);
    }
}

public sealed class SqliteEmailDeliveryTests : EmailDeliveryContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresEmailDeliveryTests : EmailDeliveryContract
{
    protected override StoreKind Kind => StoreKind.Postgres;

    [Fact]
    public async Task TwoNodesSendEachEmailExactlyOnce()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var first = await StartAsync(EmailLog.Settings(smtp), EmailLog.Start);
        await using var second = await TollgateApp.StartAsync(Kind, EmailLog.Settings(smtp), EmailLog.Start, first.ConnectionString);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => first.CustomerAsync($"c{i}")));

        // 20 customers each cross 80 %, half through each node; both nodes' dispatchers poll the one outbox.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).ConsumeAsync($"c{i}", "cv_generate", 8)));
        var received = await smtp.WaitForAsync(20);
        // The server answers before the sender records the attempt.
        var sent = await RealTime.LastAsync(() => EmailLog.ListAsync(first, "?status=sent&limit=100"), s => s.Count >= 20);

        Assert.Equal(20, sent.Count);
        Assert.All(sent, m => Assert.Equal(1, m!["attempts"].Value<int>()));
        Assert.Equal(20, received.Select(m => m.RcptTos[0]).Distinct().Count());
        Assert.Equal(20, smtp.Messages.Count);
    }
}
