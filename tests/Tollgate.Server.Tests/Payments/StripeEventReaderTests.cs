using System.Text.Json;
using Tollgate.Core.Customers;
using Tollgate.Server.Payments;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Stripe's objects in the pinned basil shape, and in the older shape where basil moved a field.</summary>
public sealed class StripeEventReaderTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_767_000_000);

    private static StripeEffect Read(string type, string data)
    {
        using var document = JsonDocument.Parse(data);
        return StripeEventReader.Effect(type, new StripeJson(document.RootElement.Clone(), "event.data.object"), Created);
    }

    [Fact]
    public void BasilSubscriptionTakesItsPeriodFromTheItem()
    {
        var effect = Read("customer.subscription.updated", """
            {"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "trialing", "billing_cycle_anchor": 1767600000,
             "cancel_at_period_end": true, "canceled_at": 1767000500, "trial_start": 1766000000, "trial_end": 1767600000,
             "metadata": {"tollgate_customer": "ada"},
             "items": {"object": "list", "data": [{"id": "si_1", "price": {"id": "price_pro"},
                       "current_period_start": 1766000000, "current_period_end": 1767600000}]}}
            """);

        var state = Assert.IsType<StripeEffect.SubscriptionChanged>(effect).State;
        Assert.Equal(("sub_1", "cus_1", "ada", "price_pro", SubscriptionStatus.Trialing, true),
            (state.Id, state.StripeCustomerId, state.TollgateCustomerId, state.PriceId, state.Status, state.CancelAtPeriodEnd));
        Assert.Equal((1_766_000_000L, 1_767_600_000L, 1_767_600_000L),
            (state.PeriodStart.ToUnixTimeSeconds(), state.PeriodEnd.ToUnixTimeSeconds(), state.TrialEnd!.Value.ToUnixTimeSeconds()));
    }

    [Fact]
    public void OlderSubscriptionTakesItsPeriodFromTheTopLevelAndAnExpandedCustomer()
    {
        var effect = Read("customer.subscription.created", """
            {"id": "sub_1", "customer": {"id": "cus_1", "object": "customer"}, "status": "active",
             "current_period_start": 1766000000, "current_period_end": 1768678400,
             "items": {"object": "list", "data": [{"id": "si_1", "price": {"id": "price_pro"}}]}}
            """);

        var state = Assert.IsType<StripeEffect.SubscriptionChanged>(effect).State;
        Assert.Equal(("cus_1", 1_766_000_000L, 1_768_678_400L, (string?)null),
            (state.StripeCustomerId, state.PeriodStart.ToUnixTimeSeconds(), state.PeriodEnd.ToUnixTimeSeconds(), state.TollgateCustomerId));
    }

    [Theory]
    [InlineData("trialing", SubscriptionStatus.Trialing, null)]
    [InlineData("active", SubscriptionStatus.Active, null)]
    [InlineData("past_due", SubscriptionStatus.PastDue, "payment_failed")]
    [InlineData("unpaid", SubscriptionStatus.PastDue, "unpaid")]
    [InlineData("canceled", SubscriptionStatus.Canceled, null)]
    [InlineData("incomplete_expired", SubscriptionStatus.Canceled, null)]
    [InlineData("incomplete", null, null)]
    [InlineData("paused", null, null)]
    public void StripeStatusesMapToTollgates(string stripe, SubscriptionStatus? status, string? dunning) =>
        Assert.Equal((status, dunning), StripeEventReader.MapStatus(stripe));

    [Fact]
    public void BasilInvoiceNamesItsSubscriptionUnderParentAndItsPeriodOnTheSubscriptionLine()
    {
        var effect = Read("invoice.paid", """
            {"id": "in_1", "amount_paid": 3000, "period_start": 1767000000, "status_transitions": {"paid_at": 1767000100},
             "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1"}},
             "lines": {"object": "list", "data": [
                {"id": "il_0", "period": {"start": 1767000000, "end": 1767000000}, "parent": {"type": "invoice_item_details"}},
                {"id": "il_1", "period": {"start": 1766000000, "end": 1768678400}, "parent": {"type": "subscription_item_details"}}]}}
            """);

        var paid = Assert.IsType<StripeEffect.InvoicePaid>(effect);
        Assert.Equal(("in_1", "sub_1", 3000L, 1_766_000_000L, 1_767_000_100L),
            (paid.StripeInvoiceId, paid.StripeSubscriptionId, paid.AmountPaidCents, paid.PeriodStart!.Value.ToUnixTimeSeconds(),
                paid.PaidAt.ToUnixTimeSeconds()));
    }

    [Fact]
    public void OlderInvoiceNamesItsSubscriptionAtTheTopLevel()
    {
        var effect = Read("invoice.payment_failed", """
            {"id": "in_1", "subscription": "sub_1", "lines": {"object": "list", "data": [{"type": "subscription", "period": {"start": 1, "end": 2}}]}}
            """);

        Assert.Equal(new StripeEffect.PaymentFailed("in_1", "sub_1"), effect);
    }

    [Fact]
    public void AnInvoiceWithoutASubscriptionIsIgnored() =>
        Assert.Equal(StripeOutcomes.Ignored, Assert.IsType<StripeEffect.Note>(Read("invoice.paid", """{"id": "in_1", "amount_paid": 500}""")).Outcome);

    [Fact]
    public void APaymentModeCheckoutIsIgnored() =>
        Assert.Equal(StripeOutcomes.Ignored, Assert.IsType<StripeEffect.Note>(Read("checkout.session.completed",
            """{"id": "cs_1", "mode": "payment", "customer": "cus_1", "client_reference_id": "ada"}""")).Outcome);

    [Fact]
    public void AMissingFieldIsNamedByItsPath()
    {
        var error = Assert.Throws<StripePayloadException>(() => Read("customer.subscription.updated",
            """{"id": "sub_1", "customer": "cus_1", "status": "active", "items": {"object": "list", "data": [{"id": "si_1"}]}}"""));

        Assert.Equal("event.data.object.items.data[0].price", error.Field);
    }
}
