using System.Net;
using System.Net.Http.Headers;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>History, logs, GDPR, discounts, grants, members, seats and offer links through the SDK, against a real server on each store.</summary>
public abstract class ClientCommerceContract
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Catalog = """
        {
          "default_plan": "free",
          "features": [ { "code": "api_calls", "name": "API calls", "unit": "calls", "kind": "metered" } ],
          "plans": [
            { "code": "free", "name": "Free", "sort_order": 1, "llm_budget_usd": 0.05, "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 100 } ] },
            { "code": "pro", "name": "Pro", "sort_order": 2, "prices": [ { "billing_period": "monthly", "price_cents": 3000 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 1000 } ] },
            { "code": "seats", "name": "Seats", "sort_order": 3,
              "prices": [ { "billing_period": "monthly", "price_cents": 1000, "per_seat": true, "included_seats": 1, "max_seats": 5 } ],
              "features": [ { "feature_code": "api_calls", "monthly_quota": 1000 } ] }
          ],
          "packs": [
            { "code": "calls_1k", "name": "1,000 calls", "feature": "api_calls", "amount": 1000, "price_cents": 1500, "currency": "usd",
              "expires_after_days": 30 },
            { "code": "calls_10k", "name": "10,000 calls", "feature": "api_calls", "amount": 10000, "price_cents": 9900, "currency": "USD" }
          ]
        }
        """;

    protected abstract StoreKind Kind { get; }

    private async Task<(TollgateApp App, TollgateClient Client)> StartAsync()
    {
        var app = await TollgateApp.StartAsync(Kind, ApiSetup.CatalogOf("sdk-commerce", Catalog), Start, kestrel: true);
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        return (app, new TollgateClient(http));
    }

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    [Fact]
    public async Task UsageHistoryDailyTotalsAndUsageAtAnInstantCountConsumedUnits()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        await client.ConsumeAsync("c1", "api_calls", 2);
        var today = DateOnly.FromDateTime(Start.UtcDateTime);

        var history = await client.Usage.HistoryAsync("c1", "api_calls", today.AddDays(-2), today);
        var months = await client.Usage.HistoryAsync("c1", granularity: "month");
        var daily = await client.Usage.DailyAsync("api_calls", today, today);
        var before = await client.Usage.GetAsync("c1", Start.AddMonths(-1));

        Assert.Equal([0L, 0L, 2L], history.Features["api_calls"].Select(p => p.Quantity));
        Assert.Equal(("day", today.AddDays(-2)), (history.Granularity, history.From));
        Assert.Equal((12, 2L), (months.Features["api_calls"].Count, months.Features["api_calls"][^1].Quantity));
        Assert.Equal(new DailyUsagePoint(today, 2, 1), daily.Features["api_calls"].Single());
        Assert.Equal(0, before.Features["api_calls"].Used);
        var bad = await Assert.ThrowsAsync<TollgateException>(() => client.Usage.HistoryAsync("c1", granularity: "week"));
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (bad.Status, bad.Error));
    }

    [Fact]
    public async Task RecordedEventsAndLlmCallsAreWalkedAcrossPagesNewestFirst()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        await client.TrackAsync([.. Enumerable.Range(1, 3).Select(i => new UsageEvent($"ev-{i}", "c1", "api_calls", i, Start.AddSeconds(i - 10)))]);
        await client.LogLlmUsageAsync([.. Enumerable.Range(1, 3).Select(i =>
            new LlmCallRequest("c1", "gpt-4o-mini", InputTokens: 100 * i, RequestId: $"r{i}", Timestamp: Start.AddSeconds(i - 10)))]);

        var firstEvents = await client.Events.ListAsync(new EventQuery("c1"), limit: 2);
        var events = await AllAsync(client.Events.ListAllAsync(new EventQuery("c1", "api_calls")));
        var firstCalls = await client.Llm.ListCallsAsync(new LlmCallQuery("c1"), limit: 2);
        var secondCalls = await client.Llm.ListCallsAsync(new LlmCallQuery("c1"), limit: 2, cursor: firstCalls.NextCursor);
        var none = await AllAsync(client.Llm.ListAllCallsAsync(new LlmCallQuery("c1", Provider: "anthropic")));
        await client.Members.UpsertAsync("c1", "c1-dev");
        await client.TrackAsync([new UsageEvent("ev-dev", "c1-dev", "api_calls", 1, Start)]);
        await client.LogLlmUsageAsync([new LlmCallRequest("c1-dev", "gpt-4o-mini", InputTokens: 5, RequestId: "r-dev", Timestamp: Start)]);
        var devEvents = await AllAsync(client.Events.ListAllAsync(new EventQuery(Member: "c1-dev")));
        var devCalls = await AllAsync(client.Llm.ListAllCallsAsync(new LlmCallQuery("c1", Member: "c1-dev")));

        Assert.Equal((2, true), (firstEvents.Data.Count, firstEvents.HasMore));
        Assert.Equal([3L, 2L, 1L], events.Select(e => e.Amount));
        Assert.All(events, e => Assert.Null(e.Member));
        Assert.Equal([300L, 200L, 100L], firstCalls.Data.Concat(secondCalls.Data).Select(c => c.Tokens.Input));
        Assert.Empty(none);
        Assert.Equal([("ev-dev", "c1", "c1-dev")], devEvents.Select(e => (e.Id, e.Customer, e.Member)));
        Assert.Equal([("r-dev", "c1", "c1-dev")], devCalls.Select(c => (c.RequestId, c.Customer, c.Member)));
    }

    [Fact]
    public async Task CustomerIsExportedThenDeletedAndReadsAfterwardsAreNotFound()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest(Email: "c1@example.com"));
        var subscription = await client.CreateSubscriptionAsync(new CreateSubscriptionRequest("c1", "pro"));

        var export = await client.Customers.ExportAsync("c1");
        var deleted = await client.Customers.DeleteAsync("c1", prorate: true);

        Assert.Equal("c1", export["customer"]!["id"]!.GetValue<string>());
        Assert.Equal(("c1", true, subscription.Id), (deleted.Id, deleted.Deleted, deleted.CanceledSubscription));
        await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.Customers.GetAsync("c1"));
    }

    [Fact]
    public async Task PromotionCodeDiscountsASubscriptionAndAnInactiveOneIsATypedErrorWithItsReason()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        var coupon = await client.Coupons.CreateAsync(new CreateCouponRequest("SPRING", "Spring", PercentOff: 20, Duration: "forever"));
        await client.Coupons.CreateAsync(new CreateCouponRequest("FIVE", "Five off", AmountOffCents: 500, Currency: "USD", Duration: "once"));
        var codes = new List<PromotionCodeResponse>();
        foreach (var code in new[] { "SPRING-A", "SPRING-B", "SPRING-C" })
        {
            codes.Add(await client.PromotionCodes.CreateAsync(new CreatePromotionCodeRequest(code, "SPRING")));
        }

        var subscription = await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("c1", "pro", PromotionCode: "spring-a"));
        var discount = await client.Subscriptions.GetDiscountAsync(subscription.Id);
        var listedCoupons = await AllAsync(client.Coupons.ListAllAsync());
        var firstCodes = await client.PromotionCodes.ListAsync("SPRING", limit: 2);
        var allCodes = await AllAsync(client.PromotionCodes.ListAllAsync("SPRING"));
        await client.PromotionCodes.DeactivateAsync(codes[2].Id);
        await client.Subscriptions.RemoveDiscountAsync(subscription.Id);
        var error = await Assert.ThrowsAsync<PromotionCodeInvalidException>(() =>
            client.Subscriptions.ApplyDiscountAsync(subscription.Id, new ApplyDiscountRequest(PromotionCode: "SPRING-C")));
        var applied = await client.Subscriptions.ApplyDiscountAsync(subscription.Id, new ApplyDiscountRequest(Coupon: "FIVE"));

        Assert.Equal((20m, "SPRING", codes[0].Id), (coupon.PercentOff, discount.Coupon.Id, discount.PromotionCode));
        Assert.Equal((discount.Id, "SPRING"), (subscription.Discount?.Id, subscription.Discount?.Coupon.Id));
        Assert.Equal(["FIVE", "SPRING"], listedCoupons.Select(c => c.Id));
        Assert.Equal((2, true, 3), (firstCodes.Data.Count, firstCodes.HasMore, allCodes.Count));
        Assert.Equal((HttpStatusCode.BadRequest, "inactive", "promotion_code"), (error.Status, error.Reason, error.Field));
        Assert.Equal(("FIVE", 500L), (applied.Coupon.Id, applied.Coupon.AmountOffCents));
        Assert.Equal("SPRING-B", (await client.PromotionCodes.GetAsync(codes[1].Id)).Code);
        Assert.True((await client.Coupons.DeleteAsync("FIVE")).Deleted);
        await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.Coupons.GetAsync("FIVE"));
    }

    [Fact]
    public async Task CreditGrantsAreCreatedListedAcrossPagesReadAndVoided()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        var grants = new List<CreditGrantResponse>();
        for (var i = 1; i <= 3; i++)
        {
            grants.Add(await client.Grants.CreateAsync("c1", new CreateCreditGrantRequest("api_calls", 10 * i, Reason: $"goodwill {i}")));
            await app.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        var first = await client.Grants.ListAsync("c1", limit: 2);
        var all = await AllAsync(client.Grants.ListAllAsync("c1"));
        var voided = await client.Grants.VoidAsync("c1", grants[2].Id);

        Assert.Equal((2, true), (first.Data.Count, first.HasMore));
        Assert.Equal(grants.Select(g => g.Id).Reverse(), all.Select(g => g.Id));
        Assert.Equal("goodwill 2", (await client.Grants.GetAsync("c1", grants[1].Id)).Reason);
        Assert.Equal("voided", voided.Status);
    }

    [Fact]
    public async Task AnLlmBudgetGrantGivenInUsdIsReadBackExactlyInTheBudget()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var grant = await client.Grants.CreateAsync("c1", CreateCreditGrantRequest.LlmBudget(2.50m, reason: "model outage"));
        var tiny = await client.Grants.CreateAsync("c1", CreateCreditGrantRequest.LlmBudget(0.000000001m));
        var budget = await client.GetLlmBudgetAsync("c1");

        Assert.Equal(("$llm_budget", 2_500_000_000L, 2_500_000_000L, 1L), (grant.Feature, grant.Amount, grant.Remaining, tiny.Amount));
        Assert.Equal(2.500000001m, budget.GrantedRemainingUsd);
    }

    [Fact]
    public async Task PacksAreListedAndASaleRetriedWithItsIdempotencyKeyAnswersTheFirstSale()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var first = await client.Packs.ListAsync(limit: 1);
        var packs = await AllAsync(client.Packs.ListAllAsync());
        var sale = await client.Packs.SellAsync("c1", "calls_1k", paid: true, idempotencyKey: "order-1");
        var retried = await client.Packs.SellAsync("c1", "calls_1k", paid: true, idempotencyKey: "order-1");
        var reused = await Assert.ThrowsAsync<TollgateException>(() => client.Packs.SellAsync("c1", "calls_10k", idempotencyKey: "order-1"));
        var open = await client.Packs.SellAsync("c1", "calls_10k");
        var grants = await AllAsync(client.Grants.ListAllAsync("c1"));

        Assert.Equal((1, true), (first.Data.Count, first.HasMore));
        Assert.Equal([("calls_10k", 9900L, "USD"), ("calls_1k", 1500L, "USD")], packs.Select(p => (p.Code, p.PriceCents, p.Currency)));
        Assert.Equal(("calls_1k", 1000L, "paid", 1500L), (sale.Grant.Pack, sale.Grant.Amount, sale.Invoice!.Status, sale.Invoice.AmountPaidCents));
        Assert.Equal((sale.Grant.Id, sale.Invoice.Id), (retried.Grant.Id, retried.Invoice!.Id));
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_mismatch"), (reused.Status, reused.Error));
        Assert.Equal(("open", 9900L), (open.Invoice!.Status, open.Invoice.AmountDueCents));
        Assert.Equal(new[] { open.Grant.Id, sale.Grant.Id }.Order(StringComparer.Ordinal), grants.Select(g => g.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreditNotesLowerAnOpenInvoiceGiveCreditOnAPaidOneAndListAndReadBack()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        var open = (await client.Packs.SellAsync("c1", "calls_10k")).Invoice!;
        var paid = (await client.Packs.SellAsync("c1", "calls_1k", paid: true)).Invoice!;

        var lineNote = await client.CreditNotes.CreateAsync(open.Id,
            new CreateCreditNoteRequest([new CreditNoteLineRequest(open.Lines[0].Id, 900)], Reason: "order_change"), idempotencyKey: "cn-1");
        var retried = await client.CreditNotes.CreateAsync(open.Id,
            new CreateCreditNoteRequest([new CreditNoteLineRequest(open.Lines[0].Id, 900)], Reason: "order_change"), idempotencyKey: "cn-1");
        var credit = await client.CreditNotes.CreateAsync(paid.Number!, new CreateCreditNoteRequest(AmountCents: 500, Reason: "duplicate", Memo: "Twice"));
        var tooMuch = await Assert.ThrowsAsync<TollgateException>(() =>
            client.CreditNotes.CreateAsync(paid.Id, new CreateCreditNoteRequest(AmountCents: 1001, Reason: "other")));
        var all = await AllAsync(client.CreditNotes.ListAllAsync(customer: "c1"));
        var ofOpen = await client.CreditNotes.ListAsync(invoice: open.Id);
        var read = await client.CreditNotes.GetAsync(credit.Number);

        Assert.Equal(("pre_payment", 900L, lineNote.Id), (lineNote.Type, lineNote.PrePaymentAmountCents, retried.Id));
        Assert.Equal((9000L, 900L), ((await client.Invoices.GetAsync(open.Id)).AmountDueCents, (await client.Invoices.GetAsync(open.Id)).CreditNotesCents));
        Assert.Equal(("post_payment", 500L, "Twice"), (credit.Type, credit.CreditBalanceCents, credit.Memo));
        Assert.Equal((HttpStatusCode.Conflict, "credit_exceeds_invoice"), (tooMuch.Status, tooMuch.Error));
        Assert.Equal(new[] { credit.Id, lineNote.Id }.Order(StringComparer.Ordinal), all.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal([lineNote.Id], ofOpen.Data.Select(n => n.Id));
        Assert.Equal((credit.Id, paid.Id, 500L), (read.Id, read.Invoice, read.Lines.Sum(l => l.AmountCents)));
    }

    [Fact]
    public async Task SessionsAreRevokedAllAtOnceAndAPackCheckoutAndANotesRefundReachTheirEndpoints()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        await client.Customers.CreateSessionAsync("c1");
        await client.Customers.CreateSessionAsync("c1");

        var revoked = await client.Customers.RevokeSessionsAsync("c1");
        var again = await client.Customers.RevokeSessionsAsync("c1");
        // No Stripe on this server: the checkout is refused as such, not as a missing route.
        var checkout = await Assert.ThrowsAsync<TollgateUnavailableException>(() =>
            client.Packs.CreateCheckoutSessionAsync("c1", "calls_1k", "https://app.example.com/ok", "https://app.example.com/no"));
        var open = (await client.Packs.SellAsync("c1", "calls_1k")).Invoice!;
        var note = await client.CreditNotes.CreateAsync(open.Id, new CreateCreditNoteRequest(AmountCents: 100, Reason: "other"));
        var refund = await Assert.ThrowsAsync<TollgateException>(() => client.CreditNotes.RefundAsync(note.Id));

        Assert.Equal((2, 0), (revoked.Revoked, again.Revoked));
        Assert.Equal("payments_not_configured", checkout.Error);
        Assert.Equal((HttpStatusCode.Conflict, "no_refund"), (refund.Status, refund.Error));
    }

    [Fact]
    public async Task APriceExperimentRunsThroughTheSdkFromDraftToPromotion()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("buyer", new UpsertCustomerRequest());

        var draft = await client.Experiments.CreateAsync(new CreateExperimentRequest("Pro at $24",
            [new ExperimentVariantRequest("control", 1), new ExperimentVariantRequest("cheaper", 1, [new VariantPriceRequest("pro", "monthly", 2400)])]));
        var started = await client.Experiments.StartAsync(draft.Id);
        var second = await client.Experiments.CreateAsync(new CreateExperimentRequest("Another", [new ExperimentVariantRequest("control", 1),
            new ExperimentVariantRequest("dearer", 1, [new VariantPriceRequest("pro", "monthly", 3600)])]));
        var busy = await Assert.ThrowsAsync<TollgateException>(() => client.Experiments.StartAsync(second.Id));
        // The first visitor id the hash puts in the challenger: assignment is a pure function of the two ids.
        var (visitor, shown) = await FirstInAsync(client, "cheaper");
        await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("buyer", "pro", VisitorId: visitor));
        var results = await client.Experiments.ResultsAsync(draft.Id);
        var stopped = await client.Experiments.StopAsync(draft.Id, promote: "cheaper");
        var listed = await client.Experiments.ListAsync();
        var invalid = await Assert.ThrowsAsync<TollgateException>(() => client.Experiments.CreateAsync(new CreateExperimentRequest("Bad",
            [new ExperimentVariantRequest("control", 1), new ExperimentVariantRequest("x", 1, [new VariantPriceRequest("gold", "weekly", -1)])])));

        Assert.Equal(("draft", "running"), (draft.Status, started.Status));
        Assert.Equal((HttpStatusCode.Conflict, "experiment_running"), (busy.Status, busy.Error));
        Assert.Equal((2400L, "cheaper"), (shown.Prices.Single(p => p.BillingPeriod == "monthly").PriceCents, shown.Experiment!.Variant));
        var cheaper = results.Variants.Single(v => v.Variant == "cheaper");
        Assert.Equal((1L, 1L, 2400L), (cheaper.Visitors, cheaper.Conversions, cheaper.MrrCents));
        Assert.Equal("stopped", stopped.Status);
        Assert.Equal([second.Id, draft.Id], listed.Select(e => e.Id));
        Assert.Equal(2400L, (await client.GetPlanAsync("pro")).Prices.Single(p => p.BillingPeriod == "monthly").PriceCents);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal(["variants[1].prices[0].billing_period", "variants[1].prices[0].plan", "variants[1].prices[0].price_cents"],
            invalid.Problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    private static async Task<(string Visitor, PricingPlan Pro)> FirstInAsync(TollgateClient client, string variant)
    {
        for (var i = 0; i < 64; i++)
        {
            var pro = (await client.GetPlansForVisitorAsync($"v-{i}")).Single(p => p.Code == "pro");
            if (pro.Experiment?.Variant == variant)
            {
                return ($"v-{i}", pro);
            }
        }

        throw new InvalidOperationException($"none of 64 visitors fell in '{variant}'");
    }

    [Fact]
    public async Task MembersTakeSeatsAndAFullOrganisationIsATypedSeatsExhaustedError()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("org", new UpsertCustomerRequest());
        var subscription = await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("org", "seats"));
        await client.Members.UpsertAsync("org", "m0", new UpsertMemberRequest(Email: "m0@example.com", Role: "owner"));

        var full = await Assert.ThrowsAsync<SeatsExhaustedException>(() => client.Members.UpsertAsync("org", "m1"));
        var changed = await client.Subscriptions.ChangeSeatsAsync(subscription.Id, new ChangeSeatsRequest(3));
        await client.Members.UpsertAsync("org", "m1");
        await client.Members.UpsertAsync("org", "m2");
        var firstPage = await client.Members.ListAsync("org", limit: 2);
        var decision = await client.ConsumeAsync("m1", "api_calls");
        await client.Members.DeleteAsync("org", "m2");
        var after = await AllAsync(client.Members.ListAllAsync("org"));
        var link = await client.OfferLinks.CreateAsync("seats", new CreateOfferLinkRequest(Start.AddDays(7), "org"));

        Assert.Equal((HttpStatusCode.PaymentRequired, "org", 1L), (full.Status, full.Customer, full.Seats));
        Assert.Equal(3, changed.Subscription.Seats);
        Assert.Equal((2, true), (firstPage.Data.Count, firstPage.HasMore));
        Assert.Equal(("org", "m1"), (decision.Customer, decision.Member));
        Assert.Equal(["m0", "m1"], after.Select(m => m.Id));
        Assert.Equal(("seats", "org"), (link.Plan, link.Customer));
        Assert.Contains("/offer?token=", link.Url, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.Members.DeleteAsync("org", "m2"));
    }

    [Fact]
    public async Task TaxRatesAreManagedThroughTheClientAndTaxTheInvoicesOfTheCustomersTheyAreSetOn()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var rate = await client.TaxRates.CreateAsync(new CreateTaxRateRequest("gb_vat", "VAT", 20, false, "GB"));
        await client.TaxRates.CreateAsync(new CreateTaxRateRequest("reduced", "Reduced VAT", 5.5m, false));
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest(Address: new CustomerAddress(Country: "GB")));
        await client.UpsertCustomerAsync("c2", new UpsertCustomerRequest(TaxRates: ["reduced"]));

        await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("c1", "pro"));
        await client.Subscriptions.CreateAsync(new CreateSubscriptionRequest("c2", "pro"));
        var first = (await client.Invoices.ListAsync("c1")).Data[0];
        var second = (await client.Invoices.ListAsync("c2")).Data[0];
        var all = await AllAsync(client.TaxRates.ListAllAsync());
        var deactivated = await client.TaxRates.DeactivateAsync("reduced");

        Assert.Equal((20m, true), (rate.Percentage, rate.Active));
        Assert.Equal((600L, 3600L, 3600L), (first.TaxCents, first.TotalCents, first.AmountDueCents));
        Assert.Equal(("gb_vat", 600L), (first.Lines[0].TaxAmounts![0].TaxRate, first.TaxBreakdown![0].AmountCents));
        Assert.Equal((165L, 3165L), (second.TaxCents, second.TotalCents));
        Assert.Equal(["gb_vat", "reduced"], all.Select(r => r.Id));
        Assert.False(deactivated.Active);
    }
}

public sealed class SqliteClientCommerceTests : ClientCommerceContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresClientCommerceTests : ClientCommerceContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
