using System.Data.Common;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Core.Taxes;
using Tollgate.Server.Taxes;
using Tollgate.Server.Customers;
using Tollgate.Server.Discounts;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Billing;

/// <summary>Issues an invoice inside the caller's transaction: numbered, credit applied, pending items collected.</summary>
internal sealed class InvoiceWriter(DbConnection c, DbTransaction tx, TimeProvider time, BillingOptions options, CancellationToken ct)
{
    // One instant for everything this transaction writes: an invoice, its lines and its balance entries share a created_at
    // even on a ticking clock.
    private readonly DateTimeOffset now = time.GetUtcNow();

    /// <summary>An invoice whose every line is zero is not issued (Stripe issues none either), nor shown as upcoming.</summary>
    internal static bool IssuesNothing(IEnumerable<InvoiceLine> lines) => lines.All(l => l.AmountCents == 0);

    /// <summary>
    /// Issues an invoice at <paramref name="issuedAt"/> with <paramref name="lines"/> plus the subscription's pending
    /// items; null when no line has an amount. A negative total becomes the customer's credit; a positive one uses
    /// credit first. Numbers come from a per-year sequence taken here, so they have no gaps.
    /// </summary>
    public async Task<string?> IssueAsync(
        Subscription subscription, string currency, string reason, IReadOnlyList<InvoiceLine> lines, DateTimeOffset issuedAt,
        DateTimeOffset? periodStart, DateTimeOffset? periodEnd) =>
        (await IssueDiscountedAsync(subscription, currency, reason, lines, issuedAt, periodStart, periodEnd)).Id;

    /// <summary>
    /// Issues as <see cref="IssueAsync"/> does and reads the invoice back as issued (pending items swept in, discounts, tax,
    /// credit applied), so an answer that shows it shows exactly the invoice; null when nothing was issued.
    /// </summary>
    public async Task<Invoice?> IssueAndReadAsync(
        Subscription subscription, string currency, string reason, IReadOnlyList<InvoiceLine> lines, DateTimeOffset issuedAt,
        DateTimeOffset? periodStart, DateTimeOffset? periodEnd) =>
        await IssueDiscountedAsync(subscription, currency, reason, lines, issuedAt, periodStart, periodEnd) is ({ } id, _)
            ? await InvoiceStore.GetAsync(c, tx, id, ct)
            : null;

    /// <summary>
    /// Issues as <see cref="IssueAsync"/> does, and answers <paramref name="lines"/> as the invoice priced them (with the
    /// discount then in force), so an answer that lists them shows what was billed; the lines even when nothing is issued.
    /// </summary>
    private async Task<(string? Id, IReadOnlyList<InvoiceLine> Lines)> IssueDiscountedAsync(
        Subscription subscription, string currency, string reason, IReadOnlyList<InvoiceLine> lines, DateTimeOffset issuedAt,
        DateTimeOffset? periodStart, DateTimeOffset? periodEnd)
    {
        var (draft, pending, discounted) = await ComposeAsync(subscription, currency, reason, lines, issuedAt, periodStart, periodEnd);
        if (IssuesNothing(draft.Lines))
        {
            return (null, discounted);
        }

        var (id, _) = await WriteAsync(draft);
        await new DiscountWriter(c, tx, time, ct).ConsumeOnceAsync(subscription.Id, issuedAt);
        if (pending.Count > 0)
        {
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE pending_invoice_items SET invoice_id = @id
                WHERE subscription_id = @subscription AND invoice_id IS NULL AND currency = @currency AND sequence <= @last
                """, new { id, subscription = subscription.Id, currency, last = pending[^1].Position }, tx, cancellationToken: ct));
        }

        await StripeInvoiceItems.EnqueueInAsync(c, tx, subscription, currency, discounted, time, ct);
        return (id, discounted);
    }

    /// <summary>
    /// The invoice <see cref="IssueAsync"/> would issue, read and computed by the same steps but not written: no number, no
    /// credit moved, no pending item or discount used up. Status upcoming; its id names the subscription.
    /// </summary>
    public async Task<Invoice> PreviewAsync(
        Subscription subscription, string currency, string reason, IReadOnlyList<InvoiceLine> lines, DateTimeOffset issuedAt,
        DateTimeOffset? periodStart, DateTimeOffset? periodEnd, DiscountOverride? discount = null, IReadOnlyList<InvoiceLine>? alsoPending = null)
    {
        var (d, _, _) = await ComposeAsync(subscription, currency, reason, lines, issuedAt, periodStart, periodEnd, discount, alsoPending);
        var totals = InvoiceTotals.Finalize(d.Lines, await BalanceAsync(d.CustomerId, d.Currency));
        return new Invoice($"upcoming_{subscription.Id}", null, d.CustomerId, d.SubscriptionId, InvoiceStatus.Upcoming, d.Reason, d.Currency,
            totals.SubtotalCents, totals.CreditAppliedCents, totals.AmountDueCents, 0, d.PeriodStart, d.PeriodEnd, d.Collection, d.IssuedAt, d.DueAt,
            null, null, now, d.Lines, totals.DiscountCents, ReverseCharge: d.ReverseCharge);
    }

    /// <summary>The invoice's lines with the pending items and the discount in force, and its collection; reads only.</summary>
    private async Task<(Draft Draft, List<InvoiceLineRow> Pending, IReadOnlyList<InvoiceLine> Discounted)> ComposeAsync(
        Subscription subscription, string currency, string reason, IReadOnlyList<InvoiceLine> lines, DateTimeOffset issuedAt,
        DateTimeOffset? periodStart, DateTimeOffset? periodEnd, DiscountOverride? discount = null, IReadOnlyList<InvoiceLine>? alsoPending = null)
    {
        // Pending items read as invoice lines, their queue sequence as the position: the same columns, so one row type.
        var pending = (await c.QueryAsync<InvoiceLineRow>(new CommandDefinition(
            "SELECT sequence AS position, kind, description, amount_cents, quantity, unit_amount_cents, period_start, period_end, plan_code, " +
            "plan_version_id, feature_code, discount_cents FROM pending_invoice_items WHERE subscription_id = @id AND invoice_id IS NULL AND currency = @currency " +
            "ORDER BY sequence", new { id = subscription.Id, currency }, tx, cancellationToken: ct))).ToList();
        // Discount step: the fee and overage billed now take the discount in force; proration lines carry the one they were made with.
        var discounts = new DiscountWriter(c, tx, time, ct);
        // alsoPending: a preview's items that the change would add before it issues, carried as the written ones are.
        var carried = pending.Select(p => p.ToDomain()).Concat(alsoPending ?? []).ToList();
        lines = DiscountedLines.Apply(lines, discount is { } given ? given.Discount : await discounts.InForceAsync(subscription.Id, issuedAt, currency),
            DiscountedLines.BilledAtIssue, carried);
        var all = lines.Concat(carried).ToList();
        // Tax step, after the discounts: Stripe computes the tax of a Stripe-billed subscription, so Tollgate adds none to it.
        // Stripe taxes what it bills; the invoice still says reverse charge where the customer is under it.
        var (taxed, reverse) = subscription.StripeSubscriptionId is null ? await TaxAsync(subscription.CustomerId, all)
            : (all, await ReverseChargeAsync(subscription.CustomerId));
        var due = subscription.CollectionMethod == CollectionMethod.SendInvoice ? issuedAt.AddDays(subscription.DaysUntilDue) : issuedAt;
        return (new Draft(subscription.CustomerId, subscription.Id, currency, reason, taxed, issuedAt, periodStart, periodEnd,
            subscription.CollectionMethod, due, PaidElsewhere: false, reverse), pending, lines);
    }

    /// <summary>The lines with the customer's tax on them, and whether the invoice is issued under reverse charge.</summary>
    private async Task<(IReadOnlyList<InvoiceLine> Lines, bool ReverseCharge)> TaxAsync(string customerId, IReadOnlyList<InvoiceLine> lines)
    {
        var profile = await CustomerStore.TaxProfileInAsync(c, tx, customerId, ct);
        var rates = TaxMatching.Applicable(await TaxRateStore.ActiveInAsync(c, tx, ct), profile);
        return (TaxedLines.Apply(lines, rates), profile.ReverseCharge);
    }

    private async Task<bool> ReverseChargeAsync(string customerId) => (await CustomerStore.TaxProfileInAsync(c, tx, customerId, ct)).ReverseCharge;

    /// <summary>
    /// Issues an invoice that belongs to no subscription (a credit pack) by the same steps: numbered, the customer's credit
    /// balance used first, invoice.created sent. Discounts belong to subscriptions, so its lines are not discounted. It is
    /// collected as the customer's live subscription is (send_invoice with its days until due otherwise);
    /// <paramref name="paidElsewhere"/> marks what is left due after credit as paid, and invoice.paid is sent for a paid one.
    /// </summary>
    public async Task<Invoice> IssueOneOffAsync(
        string customerId, string currency, string reason, IReadOnlyList<InvoiceLine> lines, DateTimeOffset issuedAt, bool paidElsewhere)
    {
        var terms = await c.QueryFirstOrDefaultAsync<(string? Collection, long Days)>(new CommandDefinition("""
            SELECT collection_method, days_until_due FROM subscriptions
            WHERE customer_id = @customerId AND status IN ('trialing', 'active', 'past_due') ORDER BY created_at DESC
            """, new { customerId }, tx, cancellationToken: ct));
        var collection = terms.Collection is { } method ? SubscriptionStatusNames.ParseCollection(method) : CollectionMethod.SendInvoice;
        var due = collection == CollectionMethod.SendInvoice ? issuedAt.AddDays(terms.Collection is null ? options.DaysUntilDue : terms.Days) : issuedAt;
        // A sale paid elsewhere (Stripe Checkout) was priced, tax and all, where it was paid; Tollgate adds no tax to it.
        var (taxed, reverse) = paidElsewhere ? (lines, await ReverseChargeAsync(customerId)) : await TaxAsync(customerId, lines);
        var (id, _) = await WriteAsync(new Draft(customerId, null, currency, reason, taxed, issuedAt, issuedAt, issuedAt, collection, due, paidElsewhere,
            reverse));
        var invoice = (await InvoiceStore.GetAsync(c, tx, id, ct))!;
        if (invoice.Status == InvoiceStatus.Paid)
        {
            await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.InvoicePaid, WebhookPayloads.Invoice(invoice), issuedAt, time, ct);
        }

        return invoice;
    }

    /// <summary>An invoice about to be written: its lines already discounted, its collection settled.</summary>
    private sealed record Draft(
        string CustomerId, string? SubscriptionId, string Currency, string Reason, IReadOnlyList<InvoiceLine> Lines, DateTimeOffset IssuedAt,
        DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd, CollectionMethod Collection, DateTimeOffset DueAt, bool PaidElsewhere,
        bool ReverseCharge);

    // The steps every invoice takes: totals with the credit balance, the next number, the rows, the balance moved, invoice.created.
    private async Task<(string Id, InvoiceTotals Totals)> WriteAsync(Draft d)
    {
        var totals = InvoiceTotals.Finalize(d.Lines, await BalanceAsync(d.CustomerId, d.Currency));
        var id = Ids.New("in", time);
        var number = InvoiceNumber.Format(options.InvoicePrefix, d.IssuedAt.Year, await NextNumberAsync(d.IssuedAt.Year));
        var paid = totals.AmountDueCents == 0 || d.PaidElsewhere;
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO invoices (id, number, customer_id, subscription_id, status, billing_reason, currency, subtotal_cents, credit_applied_cents,
                amount_due_cents, amount_paid_cents, period_start, period_end, collection_method, issued_at, due_at, paid_at, voided_at, created_at,
                discount_cents, tax_cents, total_cents, reverse_charge)
            VALUES (@id, @number, @customer, @subscription, @status, @reason, @currency, @subtotal, @applied, @due, @amountPaid, @periodStart, @periodEnd,
                @collection, @issued, @dueAt, @paidAt, NULL, @created, @discount, @tax, @total, @reverse)
            """, new
        {
            id, number, customer = d.CustomerId, subscription = d.SubscriptionId, status = paid ? "paid" : "open", reason = d.Reason,
            currency = d.Currency, subtotal = totals.SubtotalCents, applied = totals.CreditAppliedCents, due = totals.AmountDueCents,
            amountPaid = d.PaidElsewhere ? totals.AmountDueCents : 0,
            periodStart = d.PeriodStart?.ToUnixTimeMilliseconds(), periodEnd = d.PeriodEnd?.ToUnixTimeMilliseconds(),
            collection = d.Collection.ToWire(), issued = d.IssuedAt.ToUnixTimeMilliseconds(), dueAt = d.DueAt.ToUnixTimeMilliseconds(),
            paidAt = paid ? d.IssuedAt.ToUnixTimeMilliseconds() : (long?)null, created = now.ToUnixTimeMilliseconds(),
            discount = totals.DiscountCents, tax = totals.TaxCents, total = totals.TotalCents, reverse = d.ReverseCharge,
        }, tx, cancellationToken: ct));
        for (var i = 0; i < d.Lines.Count; i++)
        {
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO invoice_lines (invoice_id, position, kind, description, amount_cents, quantity, unit_amount_cents, period_start, period_end,
                    plan_code, plan_version_id, feature_code, discount_cents, taxes_json, inclusive_tax_cents)
                VALUES (@invoiceId, @position, @kind, @description, @amount, @quantity, @unit, @start, @end, @plan, @version, @feature, @discount, @taxes,
                    @inclusiveTax)
                """, InvoiceLineRow.Parameters(id, i, d.Lines[i]), tx, cancellationToken: ct));
        }

        if (totals.BalanceChangeCents != 0)
        {
            var description = totals.BalanceChangeCents < 0 ? $"Credit from {number}" : $"Credit applied to {number}";
            await AddBalanceAsync(d.CustomerId, d.Currency, totals.BalanceChangeCents, id, description);
        }

        if (await InvoiceStore.GetAsync(c, tx, id, ct) is { } issued)
        {
            await WebhookOutbox.EnqueueAsync(c, tx, WebhookEventTypes.InvoiceCreated, WebhookPayloads.Invoice(issued), d.IssuedAt, time, ct);
        }

        return (id, totals);
    }

    public async Task AddPendingAsync(Subscription subscription, string currency, IEnumerable<InvoiceLine> lines)
    {
        // Lines keep the order they were made in: milliseconds, then their place in this change.
        var sequence = now.ToUnixTimeMilliseconds() * 100;
        var added = lines.Where(l => l.AmountCents != 0).ToList();
        await StripeInvoiceItems.EnqueueInAsync(c, tx, subscription, currency, added, time, ct);
        foreach (var l in added)
        {
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO pending_invoice_items (id, customer_id, subscription_id, currency, kind, description, amount_cents, quantity, unit_amount_cents,
                    period_start, period_end, plan_code, plan_version_id, feature_code, invoice_id, sequence, created_at, discount_cents)
                VALUES (@id, @customer, @subscription, @currency, @kind, @description, @amount, @quantity, @unit, @start, @end, @plan, @version, @feature,
                    NULL, @sequence, @created, @discount)
                """, new
            {
                id = Ids.New("ii", time), customer = subscription.CustomerId, subscription = subscription.Id, currency, kind = l.Kind.ToWire(),
                description = l.Description, amount = l.AmountCents, quantity = l.Quantity, unit = l.UnitAmountCents,
                start = l.PeriodStart.ToUnixTimeMilliseconds(), end = l.PeriodEnd.ToUnixTimeMilliseconds(), plan = l.PlanCode, version = l.PlanVersionId,
                feature = l.FeatureCode, sequence = sequence++, created = now.ToUnixTimeMilliseconds(), discount = l.DiscountCents,
            }, tx, cancellationToken: ct));
        }
    }

    public Task<long> BalanceAsync(string customer, string currency) =>
        c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM balance_transactions WHERE customer_id = @customer AND currency = @currency",
            new { customer, currency }, tx, cancellationToken: ct));

    public Task AddBalanceAsync(string customer, string currency, long amount, string? invoiceId, string description) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO balance_transactions (id, customer_id, currency, amount_cents, invoice_id, description, created_at)
            VALUES (@id, @customer, @currency, @amount, @invoiceId, @description, @created)
            """, new
        {
            id = Ids.New("cbt", time), customer, currency, amount, invoiceId, description, created = now.ToUnixTimeMilliseconds(),
        }, tx, cancellationToken: ct));

    private Task<long> NextNumberAsync(int year) =>
        c.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO invoice_sequences (year, last_number) VALUES (@year, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = invoice_sequences.last_number + 1
            RETURNING last_number
            """, new { year = (long)year }, tx, cancellationToken: ct));
}

/// <summary>
/// The discount a previewed invoice is priced with in place of the one in force: a change's preview prices with the
/// promotion code it only checks, which the change itself would redeem before issuing.
/// </summary>
internal sealed record DiscountOverride(Discount? Discount);
