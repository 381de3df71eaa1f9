using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Testing;
using static Tollgate.Server.Tests.Discounts.DiscountsSetup;

namespace Tollgate.Server.Tests.Discounts;

/// <summary>Coupons on invoices, to the cent: set the day, subscribe with a code, advance the clock, read the invoices.</summary>
public abstract class DiscountsApiContract : ApiContract
{
    private Task<TollgateApp> StartAtAsync(DateTimeOffset start) => StartAsync(Settings(), start);

    [Fact]
    public async Task TwentyPercentForeverOnTwentyNineNinetyNineTakesSixDollarsAndLeavesTwentyThreeNinetyNineDueEveryMonth()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CodeAsync(new { code = "SPRING20", coupon = "TWENTY" });
        await app.CustomerAsync("c1");

        var created = await app.SubscribeWithAsync("c1", "basic", code: "spring20");
        await app.AdvanceToAsync(Utc(2026, 2, 1));
        var invoices = await app.InvoicesAsync("c1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([(2999L, 600L, 2399L), (2999L, 600L, 2399L)], await app.TotalsAsync("c1"));
        Assert.Equal((2999L, 600L), (invoices[0]["lines"]![0]!["amount_cents"].Value<long>(), invoices[0]["lines"]![0]!["discount_cents"].Value<long>()));
    }

    [Fact]
    public async Task OnTheRealClockARepeatingCodeGivenAtSignUpDiscountsTheFirstInvoiceAndAnUpgradesCharge()
    {
        // No test clock: each step reads the system's time, which moves between (and within) the requests.
        var settings = Settings();
        settings["Tollgate:TestClock:Enabled"] = "false";
        await using var app = await StartAsync(settings);
        await app.CouponAsync(new { id = "TWENTY3", name = "20% off for 3 months", percent_off = 20, duration = "repeating", duration_in_months = 3 });
        await app.CodeAsync(new { code = "SPRING20", coupon = "TWENTY3" });
        await app.CustomerAsync("c1");

        var created = await (await app.SubscribeWithAsync("c1", "basic", code: "SPRING20")).ReadAsync();
        var upgrade = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{created["id"].Value<string>()}/change", new { plan = "premium" }))
            .ReadAsync();

        Assert.Equal((2999L, 600L, 2399L), (await app.TotalsAsync("c1"))[0]);
        var charge = upgrade["lines"]!.AsArray().Single(l => l!["kind"].Value<string>() == "proration_charge")!;
        Assert.Equal((charge["amount_cents"].Value<long>() * 20 + 50) / 100, charge["discount_cents"].Value<long>());
    }

    [Fact]
    public async Task AMoveToYearlyAnswersTheDiscountItsInvoiceBillsAndThePreviewShowed()
    {
        // basic with a yearly price too, so the change re-anchors the period and bills the year's fee at once.
        var catalog = DiscountsSetup.Catalog.Replace("""{ "billing_period": "monthly", "price_cents": 2999 }""",
            """{ "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 29990 }""", StringComparison.Ordinal);
        await using var app = await StartAsync(ApiSetup.CatalogOf("discounts-yearly", catalog), Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "basic", coupon: "TWENTY")).ReadAsync())["id"].Value<string>();
        var yearly = new { plan = "basic", billing_period = "yearly", effective = "immediate" };

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", yearly)).ReadAsync();
        var changed = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", yearly)).ReadAsync();
        var invoice = (await app.InvoicesAsync("c1"))[^1];

        static (long, long) Fee(JsonNode lines) => lines.AsArray().Where(l => l!["kind"].Value<string>() == "recurring")
            .Select(l => (l!["amount_cents"].Value<long>(), l["discount_cents"].Value<long>())).Single();
        Assert.Equal((29990L, 5998L), Fee(invoice["lines"]!));
        Assert.Equal(Fee(invoice["lines"]!), Fee(changed["lines"]!));
        Assert.Equal(Fee(invoice["lines"]!), Fee(preview["lines"]!));
    }

    // basic with a yearly price and a soft cap of 500 calls, then 0.03 a call: a move to yearly bills the overage with the year's fee.
    private Task<TollgateApp> OverageAppAsync() => StartAsync(ApiSetup.CatalogOf("discounts-overage", DiscountsSetup.Catalog
        .Replace("""{ "billing_period": "monthly", "price_cents": 2999 }""",
            """{ "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 29990 }""", StringComparison.Ordinal)
        .Replace("""{ "feature_code": "api_calls", "monthly_quota": 500 }""",
            """{ "feature_code": "api_calls", "monthly_quota": 500, "hard_cap": false, "overage_unit_price_cents": 3 }""", StringComparison.Ordinal)),
        Utc(2026, 1, 1));

    private static (string?, long, long)[] Priced(JsonNode lines) =>
        [.. lines.AsArray().Select(l => (l!["kind"].Value<string>(), l["amount_cents"].Value<long>(), l["discount_cents"].Value<long>()))];

    /// <summary>c1 on basic with 20 % off for good, 50 calls past its 500 and 19 days into its month.</summary>
    private async Task<(TollgateApp App, string SubscriptionId)> TwentyOffWithOverageAsync()
    {
        var app = await OverageAppAsync();
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "basic", coupon: "TWENTY")).ReadAsync())["id"].Value<string>()!;
        await app.ConsumeAsync("c1", "api_calls", 550);
        await app.AdvanceToAsync(Utc(2026, 1, 20));
        return (app, id);
    }

    [Fact]
    public async Task AnImmediateMoveToYearlyPreviewsTheDiscountOnItsOverageAsTheChangeAndItsInvoiceBillIt()
    {
        var (app, id) = await TwentyOffWithOverageAsync();
        await using var _ = app;
        var yearly = new { plan = "basic", billing_period = "yearly", effective = "immediate", proration = "create_prorations" };

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", yearly)).ReadAsync();
        var changed = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", yearly)).ReadAsync();
        var invoice = (await app.InvoicesAsync("c1"))[^1];

        // 50 calls past 500 at 0.03: 150, 30 off, as the year's fee takes its 20 %.
        Assert.Contains(("overage", 150L, 30L), Priced(preview["lines"]!));
        Assert.Equal(Priced(invoice["lines"]!), Priced(changed["lines"]!));
        Assert.Equal(Priced(changed["lines"]!), Priced(preview["lines"]!));
        // The answer's amount is net of its discount, as the invoice's subtotal less its discount is.
        Assert.Equal((invoice["subtotal_cents"].Value<long>() - invoice["discount_cents"].Value<long>(), invoice["discount_cents"].Value<long>()),
            (preview["amount_cents"].Value<long>(), preview["discount_cents"].Value<long>()));
    }

    [Fact]
    public async Task AnImmediateCancelCreditingUnusedTimeAnswersTheLinesAndDiscountOfTheFinalInvoiceItIssues()
    {
        var (app, id) = await TwentyOffWithOverageAsync();
        await using var _ = app;

        var canceled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel",
            new { at_period_end = false, credit_unused = true, reason = "other" })).ReadAsync();
        var invoice = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal(invoice["id"].Value<string>(), canceled["invoice_id"].Value<string>());
        Assert.Contains(("overage", 150L, 30L), Priced(canceled["lines"]!));
        Assert.Equal(Priced(invoice["lines"]!), Priced(canceled["lines"]!));
        // The answer's amount is net of its discount, as the invoice's subtotal less its discount is.
        Assert.Equal((invoice["subtotal_cents"].Value<long>() - invoice["discount_cents"].Value<long>(), invoice["discount_cents"].Value<long>()),
            (canceled["amount_cents"].Value<long>(), canceled["discount_cents"].Value<long>()));
    }

    [Fact]
    public async Task AnAmountOffStopsAtTheInvoicesSubtotalWhenACreditForUnusedTimeIsOnIt()
    {
        // premium at 59.99 a month with 25.00 off for good (34.99 paid), moved at once to basic at 59.00 a year: the
        // credit returns the 34.99 paid (59.99 less its 25.00), and the 25.00 off the year's fee stops at the invoice's
        // subtotal (24.01), as Stripe caps an amount off. It came to -25.99 before: the whole month credited, and the
        // amount off taken in full.
        var catalog = DiscountsSetup.Catalog.Replace("""{ "billing_period": "monthly", "price_cents": 2999 }""",
            """{ "billing_period": "monthly", "price_cents": 2999 }, { "billing_period": "yearly", "price_cents": 5900 }""", StringComparison.Ordinal);
        await using var app = await StartAsync(ApiSetup.CatalogOf("discounts-downgrade", catalog), Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "BIG25", name = "25.00 off", amount_off_cents = 2500, currency = "USD", duration = "forever" });
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "premium", coupon: "BIG25")).ReadAsync())["id"].Value<string>();
        var yearly = new { plan = "basic", billing_period = "yearly", effective = "immediate", proration = "create_prorations" };

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", yearly)).ReadAsync();
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", yearly);
        var invoice = (await app.InvoicesAsync("c1"))[^1];

        Assert.Equal((5999L, 2500L, 3499L), (await app.TotalsAsync("c1"))[0]);
        Assert.Equal([("proration_credit", -5999L, -2500L), ("recurring", 5900L, 2401L)], Priced(invoice["lines"]!));
        Assert.Equal(0, invoice["total_cents"].Value<long>());
        Assert.Equal(Priced(invoice["lines"]!), Priced(preview["lines"]!));
        // The credit's discount makes the credit smaller, so it adds to the total, and the printed invoice says so: the
        // totals read "Discounts $0.99" before, as if 0.99 had been taken off.
        var id2 = invoice["id"].Value<string>();
        var pdf = PdfText.Squeezed(await PdfText.ReadAsync(await (await app.Admin.GetAsync($"/v1/invoices/{id2}/pdf")).Content.ReadAsByteArrayAsync()));
        var html = WebUtility.HtmlDecode(await (await app.Admin.GetAsync($"/v1/invoices/{id2}/html")).Content.ReadAsStringAsync());
        Assert.Contains("Discount on credited time +$25.00", pdf, StringComparison.Ordinal);
        Assert.Contains("Discount -$24.01", pdf, StringComparison.Ordinal);
        Assert.Contains("Discounts on credited time +$0.99", pdf, StringComparison.Ordinal);
        Assert.Contains("Discounts on credited time</td><td class=\"num\">+$0.99", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnusedTimeIsCreditedAsItWasBilledNotWithTheDiscountInForceAtTheCancel()
    {
        // 100 % off once: the month was billed nothing, so its unused time credits nothing (it credited 29.99 before).
        // 20 % off once given after the month was billed in full: the unused time credits in full (it took 20 % off).
        await using var app = await StartAsync(DiscountsSetup.Settings(), Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "FREE", name = "100% off", percent_off = 100, duration = "once" });
        await app.CouponAsync(new { id = "LATER", name = "20% off", percent_off = 20, duration = "once" });
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        var free = (await (await app.SubscribeWithAsync("c1", "basic", coupon: "FREE")).ReadAsync())["id"].Value<string>();
        var full = (await (await app.SubscribeWithAsync("c2", "basic")).ReadAsync())["id"].Value<string>();
        await app.AdvanceToAsync(Utc(2026, 1, 11));
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{full}/discount", new { coupon = "LATER" });

        var cancel = new { at_period_end = false, credit_unused = true, reason = "other" };
        var freeCredit = (await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{free}/cancel", cancel)).ReadAsync())["lines"]!;
        var fullCredit = (await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{full}/cancel", cancel)).ReadAsync())["lines"]!;

        var (_, amount, discount) = Assert.Single(Priced(freeCredit), l => l.Item1 == "proration_credit");
        Assert.Equal(amount, discount);
        Assert.Equal(0, (await app.InvoicesAsync("c1"))[^1]["total_cents"].Value<long>());
        var (_, fullAmount, fullDiscount) = Assert.Single(Priced(fullCredit), l => l.Item1 == "proration_credit");
        Assert.Equal((-2032L, 0L), (fullAmount, fullDiscount)); // 21 of January's 31 days: 2031.58
    }

    [Fact]
    public async Task TimeBilledAtTheOldPlansPriceIsCreditedAtItAfterAChangeMadeWithoutProrations()
    {
        // basic billed (29.99), moved to premium at once without prorations, then canceled at once crediting unused time:
        // the month was billed at 29.99, so 29.99 comes back, not premium's 59.99 (a billing trial).
        await using var app = await StartAsync(DiscountsSetup.Settings(), Utc(2026, 1, 1));
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "basic")).ReadAsync())["id"].Value<string>();
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "premium", effective = "immediate", proration = "none" });

        var canceled = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/cancel",
            new { at_period_end = false, credit_unused = true, reason = "other" })).ReadAsync();

        Assert.Contains(("proration_credit", -2999L, 0L), Priced(canceled["lines"]!));
        Assert.Equal(-2999, (await app.InvoicesAsync("c1"))[^1]["total_cents"].Value<long>());
    }

    [Fact]
    public async Task FiveDollarsOffOnceDiscountsOnlyTheFirstInvoice()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "FIVE", name = "$5 off", amount_off_cents = 500, currency = "USD", duration = "once" });
        await app.CustomerAsync("c1");

        await app.SubscribeWithAsync("c1", "basic", coupon: "FIVE");
        await app.AdvanceToAsync(Utc(2026, 3, 1));

        Assert.Equal([(2999L, 500L, 2499L), (2999L, 0L, 2999L), (2999L, 0L, 2999L)], await app.TotalsAsync("c1"));
    }

    [Fact]
    public async Task AThreeMonthRepeatingCouponDiscountsTheFirstThreeInvoicesAcrossFourRenewals()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "HALF3", name = "Half off for 3 months", percent_off = 50, duration = "repeating", duration_in_months = 3 });
        await app.CustomerAsync("c1");

        await app.SubscribeWithAsync("c1", "basic", coupon: "HALF3");
        await app.AdvanceToAsync(Utc(2026, 5, 1));

        // 50 % of 2999 is 1499.5, rounded half-up to 1500.
        Assert.Equal([1500L, 1500L, 1500L, 0L, 0L], (await app.TotalsAsync("c1")).Select(t => t.Discount));
        Assert.Equal([1499L, 1499L, 1499L, 2999L, 2999L], (await app.TotalsAsync("c1")).Select(t => t.Due));
    }

    [Fact]
    public async Task ADiscountedUpgradeProratesBothLinesWithTheDiscountAndTheNextInvoiceAddsThemUp()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "basic", coupon: "TWENTY")).ReadAsync())["id"].Value<string>();
        await app.AdvanceToAsync(Utc(2026, 1, 16));

        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change/preview", new { plan = "premium" })).ReadAsync();
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "premium" });
        await app.AdvanceToAsync(Utc(2026, 2, 1));
        var renewal = (await app.InvoicesAsync("c1"))[^1];

        // 16 of 31 days: credit 2999·16/31 = 1547.87 → 1548 less 20 % (309.6 → 310); charge 5999·16/31 = 3096.26 → 3096 less 619.2 → 619.
        Assert.Equal([(-1548L, -310L), (3096L, 619L)], preview["lines"]!.AsArray().Select(l =>
            (l!["amount_cents"].Value<long>(), l["discount_cents"].Value<long>())));
        Assert.Equal((1239L, 309L), (preview["amount_cents"].Value<long>(), preview["discount_cents"].Value<long>()));
        Assert.Equal([(5999L, 1200L), (-1548L, -310L), (3096L, 619L)], renewal["lines"]!.AsArray().Select(l =>
            (l!["amount_cents"].Value<long>(), l["discount_cents"].Value<long>())));
        Assert.Equal((7547L, 1509L, 6038L), (renewal["subtotal_cents"].Value<long>(), renewal["discount_cents"].Value<long>(),
            renewal["amount_due_cents"].Value<long>()));
    }

    [Fact]
    public async Task AnAmountOffForGoodStaysWithThePeriodThroughAnUpgradeInvoicedAtOnceOrAtTheRenewal()
    {
        // $7 off for good. c1 moves from basic (29.99, 22.99 paid) to premium at once and is invoiced now: the credit
        // gives back the 22.99 paid, the charge takes the $7 the credit gave back, so the month costs 59.99 - 7.
        // It cost 59.99 before (a trial): the credit took the $7 back and the charge took none.
        // c2 moves on Jan 16 with prorations for the renewal: 16 of 31 days credit 1548 less 1548·700/2999 = 361.3 → 361,
        // and the charge of 3096 takes those 361, so January keeps its $7 off and February's fee takes its own.
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "SEVEN", name = "$7 off", amount_off_cents = 700, currency = "USD", duration = "forever" });
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        var now = (await (await app.SubscribeWithAsync("c1", "basic", coupon: "SEVEN")).ReadAsync())["id"].Value<string>();
        var later = (await (await app.SubscribeWithAsync("c2", "basic", coupon: "SEVEN")).ReadAsync())["id"].Value<string>();

        var upgrade = await app.Admin.PostJsonAsync($"/v1/subscriptions/{now}/change", new { plan = "premium", proration = "always_invoice" });
        await app.AdvanceToAsync(Utc(2026, 1, 16));
        var preview = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{later}/change/preview", new { plan = "premium" })).ReadAsync();
        await app.Admin.PostJsonAsync($"/v1/subscriptions/{later}/change", new { plan = "premium" });
        await app.AdvanceToAsync(Utc(2026, 2, 1));

        Assert.Equal(HttpStatusCode.OK, upgrade.StatusCode);
        var c1 = await app.InvoicesAsync("c1");
        Assert.Equal([("proration_credit", -2999L, -700L), ("proration_charge", 5999L, 700L)], Priced(c1[1]["lines"]!));
        Assert.Equal([2299L, 3000L], c1.Take(2).Select(i => i["amount_due_cents"].Value<long>()));
        Assert.Equal([(-1548L, -361L), (3096L, 361L)], preview["lines"]!.AsArray().Select(l =>
            (l!["amount_cents"].Value<long>(), l["discount_cents"].Value<long>())));
        var renewal = (await app.InvoicesAsync("c2"))[^1];
        Assert.Equal([("recurring", 5999L, 700L), ("proration_credit", -1548L, -361L), ("proration_charge", 3096L, 361L)], Priced(renewal["lines"]!));
        Assert.Equal(5299L - 1187 + 2735, renewal["amount_due_cents"].Value<long>());
    }

    [Fact]
    public async Task ACodeGivenWithAnUpgradeDiscountsTheNewPlansTimeButNotTheOldPlansCredit()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CodeAsync(new { code = "UPGRADE20", coupon = "TWENTY" });
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "basic")).ReadAsync())["id"].Value<string>();
        await app.AdvanceToAsync(Utc(2026, 1, 16));

        var change = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change", new { plan = "premium", promotion_code = "upgrade20" }))
            .ReadAsync();

        Assert.Equal([(-1548L, 0L), (3096L, 619L)], change["lines"]!.AsArray().Select(l =>
            (l!["amount_cents"].Value<long>(), l["discount_cents"].Value<long>())));
        Assert.Equal(1L, (await (await app.Admin.GetAsync("/v1/admin/promotion-codes/UPGRADE20")).ReadAsync())["times_redeemed"].Value<long>());
    }

    [Fact]
    public async Task ADiscountAddedLaterAppliesFromTheNextInvoiceAndRemovingItStopsIt()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TEN", name = "10% off", percent_off = 10, duration = "forever" });
        await app.CustomerAsync("c1");
        var id = (await (await app.SubscribeWithAsync("c1", "basic")).ReadAsync())["id"].Value<string>();

        var added = await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/discount", new { coupon = "TEN" });
        var shown = await (await app.Admin.GetAsync($"/v1/subscriptions/{id}/discount")).ReadAsync();
        await app.AdvanceToAsync(Utc(2026, 2, 1));
        var removed = await app.Admin.DeleteAsync(new Uri($"/v1/subscriptions/{id}/discount", UriKind.Relative));
        var gone = await app.Admin.GetAsync($"/v1/subscriptions/{id}/discount");
        await app.AdvanceToAsync(Utc(2026, 3, 1));

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(("TEN", 10m), (shown["coupon"]!["id"].Value<string>(), shown["coupon"]!["percent_off"].Value<decimal>()));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound), (removed.StatusCode, gone.StatusCode));
        Assert.Equal([0L, 300L, 0L], (await app.TotalsAsync("c1")).Select(t => t.Discount));
    }

    [Fact]
    public async Task ASubscriptionsAnswerEmbedsItsDiscountOrNullInEveryReadAndList()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CodeAsync(new { code = "SPRING", coupon = "TWENTY" });
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");

        var created = await (await app.SubscribeWithAsync("c1", "basic", code: "spring")).ReadAsync();
        var plain = await (await app.SubscribeWithAsync("c2", "basic")).ReadAsync();
        var id = created["id"].Value<string>();
        var read = await (await app.Admin.GetAsync($"/v1/subscriptions/{id}")).ReadAsync();
        var listed = await app.Admin.PageAsync("/v1/subscriptions?limit=10");
        var ofCustomer = await app.Admin.PageAsync("/v1/customers/c1/subscriptions");
        var changed = await (await app.Admin.PostJsonAsync($"/v1/subscriptions/{id}/change",
            new { plan = "premium", proration = "create_prorations" })).ReadAsync();
        await app.Admin.DeleteAsync(new Uri($"/v1/subscriptions/{id}/discount", UriKind.Relative));
        var removed = await (await app.Admin.GetAsync($"/v1/subscriptions/{id}")).ReadAsync();

        var discount = created["discount"]!;
        Assert.Equal(("TWENTY", 20m, "c1", id), (discount["coupon"]!["id"].Value<string>(), discount["coupon"]!["percent_off"].Value<decimal>(),
            discount["customer"].Value<string>(), discount["subscription"].Value<string>()));
        Assert.NotNull(discount["promotion_code"].Value<string>());
        Assert.Null(plain["discount"]);
        Assert.True(plain.AsObject().ContainsKey("discount"));
        Assert.Equal(discount.ToJsonString(), read["discount"]!.ToJsonString());
        Assert.Equal(discount.ToJsonString(), listed.Single(s => s!["id"].Value<string>() == id)!["discount"]!.ToJsonString());
        Assert.Null(listed.Single(s => s!["id"].Value<string>() == plain["id"].Value<string>())!["discount"]);
        Assert.Equal(discount.ToJsonString(), ofCustomer[0]!["discount"]!.ToJsonString());
        Assert.Equal("TWENTY", changed["subscription"]!["discount"]!["coupon"]!["id"].Value<string>());
        Assert.Null(removed["discount"]);
    }

    [Fact]
    public async Task ADeletedCouponCannotBeRedeemedButTheDiscountsMadeFromItStay()
    {
        await using var app = await StartAtAsync(Utc(2026, 1, 1));
        await app.CouponAsync(new { id = "TWENTY", name = "20% off", percent_off = 20, duration = "forever" });
        await app.CustomerAsync("c1");
        await app.CustomerAsync("c2");
        await app.SubscribeWithAsync("c1", "basic", coupon: "TWENTY");

        var deleted = await (await app.Admin.DeleteAsync(new Uri("/v1/admin/coupons/TWENTY", UriKind.Relative))).ReadAsync();
        var read = await app.Admin.GetAsync("/v1/admin/coupons/TWENTY");
        var refused = await (await app.SubscribeWithAsync("c2", "basic", coupon: "TWENTY")).ReadAsync();
        await app.AdvanceToAsync(Utc(2026, 2, 1));

        Assert.True(deleted["deleted"].Value<bool>());
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(("promotion_code_invalid", "inactive"), (refused["error"].Value<string>(), refused["reason"].Value<string>()));
        Assert.Equal([600L, 600L], (await app.TotalsAsync("c1")).Select(t => t.Discount));
    }
}

public sealed class SqliteDiscountsApiTests : DiscountsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresDiscountsApiTests : DiscountsApiContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

/// <summary>The same suite on a clock that ticks, as the real one does: two readings in one operation differ here.</summary>
public sealed class TickingClockDiscountsApiTests : DiscountsApiContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;

    protected override bool TickingClock => true;
}
