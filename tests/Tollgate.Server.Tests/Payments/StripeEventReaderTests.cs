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

        Assert.Equal(new StripeEffect.PaymentFailed("in_1", "sub_1", DateTimeOffset.FromUnixTimeSeconds(1)), effect);
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

    [Fact]
    public void ABasilInvoicesTaxIsReadPerRateAndPerLineWithTheRateByIdAndAnItemsTollgateKind()
    {
        var effect = Read("invoice.paid", """
            {"id": "in_1", "amount_paid": 4200, "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1"}},
             "total_taxes": [{"amount": 700, "tax_behavior": "exclusive", "taxability_reason": "standard_rated", "taxable_amount": 3500,
                              "type": "tax_rate_details", "tax_rate_details": {"tax_rate": "txr_vat"}}],
             "lines": {"object": "list", "data": [
                {"id": "il_1", "amount": 3000, "period": {"start": 1766000000, "end": 1768678400},
                 "parent": {"type": "subscription_item_details", "subscription_item_details": {"proration": false}},
                 "taxes": [{"amount": 600, "tax_behavior": "exclusive", "taxable_amount": 3000, "type": "tax_rate_details",
                            "tax_rate_details": {"tax_rate": "txr_vat"}}]},
                {"id": "il_2", "amount": 500, "period": {"start": 1766000000, "end": 1768678400}, "metadata": {"tollgate_kind": "overage"},
                 "parent": {"type": "invoice_item_details", "invoice_item_details": {"invoice_item": "ii_1", "proration": false}},
                 "taxes": [{"amount": 100, "tax_behavior": "exclusive", "taxable_amount": 500, "type": "tax_rate_details",
                            "tax_rate_details": {"tax_rate": "txr_vat"}}]}]}}
            """);

        var tax = Assert.IsType<StripeEffect.InvoicePaid>(effect).Tax!;
        Assert.Equal([new StripeTaxAmount("txr_vat", 700, false, 3500)], tax.Totals);
        Assert.Equal([(true, (string?)null, 3000L, 600L), (false, "overage", 500L, 100L)],
            tax.Lines.Select(l => (l.Recurring, l.TollgateKind, l.AmountCents, l.Taxes.Single().AmountCents)));
        Assert.Equal(["txr_vat"], tax.UnreadRates);
        Assert.False(tax.ReverseCharge);
    }

    [Fact]
    public void AnOlderInvoicesTotalTaxAmountsAreReadWithAnExpandedRateAndAReverseChargeIsSeen()
    {
        var effect = Read("invoice.payment_failed", """
            {"id": "in_1", "subscription": "sub_1", "customer_tax_exempt": "reverse",
             "total_tax_amounts": [{"amount": 479, "inclusive": true, "taxable_amount": 2521,
                                    "tax_rate": {"id": "txr_de", "display_name": "MwSt.", "jurisdiction": "DE", "percentage": 19.0}}],
             "lines": {"object": "list", "data": [{"type": "subscription", "proration": true, "amount": 3000, "period": {"start": 1, "end": 2},
                                                   "tax_amounts": [{"amount": 479, "inclusive": true, "tax_rate": "txr_de"}]}]}}
            """);

        var tax = Assert.IsType<StripeEffect.PaymentFailed>(effect).Tax!;
        var stated = tax.ToStated();
        Assert.Equal(new Core.Billing.TaxBreakdown("txr_de", "MwSt. (DE)", 190_000, true, 2521, 479), Assert.Single(stated.Totals));
        Assert.False(Assert.Single(tax.Lines).Recurring); // Stripe's own proration, which no Tollgate line stands for
        Assert.True(tax.ReverseCharge);
    }

    [Fact]
    public void ARateStripeNeverNamedIsTaxAtThePercentageItsAmountIsOfItsTaxableAmount()
    {
        var stated = new StripeInvoiceTax([new StripeTaxAmount("txr_x", 625, false, 10_000)], [], false).ToStated();

        Assert.Equal(("Tax", 62_500L), (stated.Totals[0].Name, stated.Totals[0].Millionths));
    }

    [Fact]
    public void AFinalizedSubscriptionInvoiceCarriesItsPeriodAndTax()
    {
        var effect = Read("invoice.finalized", """
            {"id": "in_1", "subscription": "sub_1", "total_taxes": [],
             "lines": {"object": "list", "data": [{"type": "subscription", "amount": 3000, "period": {"start": 1, "end": 2}, "taxes": []}]}}
            """);

        var finalized = Assert.IsType<StripeEffect.InvoiceFinalized>(effect);
        Assert.Equal(("in_1", "sub_1", DateTimeOffset.FromUnixTimeSeconds(1)), (finalized.StripeInvoiceId, finalized.StripeSubscriptionId, finalized.PeriodStart));
        Assert.Empty(finalized.Tax!.Totals);
    }

    [Fact]
    public void AnInvoiceWithoutTaxTotalsSaysNothingAboutTax()
    {
        var effect = Read("invoice.paid", """
            {"id": "in_1", "amount_paid": 3000, "subscription": "sub_1", "lines": {"object": "list", "data": []}}
            """);

        Assert.Null(Assert.IsType<StripeEffect.InvoicePaid>(effect).Tax);
    }
}
