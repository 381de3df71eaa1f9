using Tollgate.Testing;

namespace Tollgate.Server.Tests.Email;

/// <summary>The payment-failed e-mail, driven by signed Stripe events from the fake Stripe: one per failed attempt, none per redelivery.</summary>
public abstract class EmailPaymentContract : ApiContract
{
    [Fact]
    public async Task EachFailedPaymentIsMailedOnceAndARedeliveredStripeEventMailsNothingMore()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var h = await PaymentsHarness.StartAsync(Kind, extra: smtp.Settings());
        await h.App.Admin.PutJsonAsync("/v1/customers/ada", new { email = "ada@example.com", name = "Ada" });
        var session = await h.CheckoutAsync("ada", "pro");
        var subscription = h.Stripe.CompleteCheckout(session);
        await h.DeliverAsync("checkout.session.completed", h.Stripe.Session(session));
        var number = Assert.Single(await h.App.InvoicesAsync("ada"))["number"].Value<string>();

        await h.App.AdvanceAsync(TimeSpan.FromHours(1));
        var failed = h.Stripe.Event("invoice.payment_failed", h.Stripe.Invoice(subscription, paid: false));
        await h.Stripe.SignedWebhookAsync(h.App.Anonymous, failed);
        await h.Stripe.SignedWebhookAsync(h.App.Anonymous, failed); // Stripe delivers an event again when unsure it arrived
        await h.App.AdvanceAsync(TimeSpan.FromDays(1));
        await h.DeliverAsync("invoice.payment_failed", h.Stripe.Invoice(subscription, paid: false)); // Stripe's next try fails too
        var mails = await smtp.WaitForAsync(3);
        var log = await EmailLog.ListAsync(h.App, "?limit=100");

        var failures = mails.Where(m => m.Subject == $"Payment failed for invoice {number}").ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, m => Assert.Equal(["ada@example.com"], m.RcptTos));
        Assert.Contains("We could not collect $30.00 for invoice", failures[0].Body("text/plain"), StringComparison.Ordinal);
        Assert.Contains("<main class=\"sheet\">", failures[0].Body("text/html"), StringComparison.Ordinal);
        Assert.Equal(["invoice_issued", "invoice_payment_failed", "invoice_payment_failed"], log.Select(m => m!["kind"].Value<string>()).Order());
    }
}

public sealed class SqliteEmailPaymentTests : EmailPaymentContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresEmailPaymentTests : EmailPaymentContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
