using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Core.Entitlements;
using Tollgate.Core.Time;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;
using Tollgate.Server.Discounts;

namespace Tollgate.Server.Billing;

/// <summary>
/// Subscription changes and the invoices they cause, each in one transaction under the customer's lock, taken before
/// any other row (<see cref="CustomerLock"/>): create and change plan here, cancel and undo in
/// BillingStore.Cancel, Stripe's states in BillingStore.Sync. Time-driven steps are in BillingCycle.
/// </summary>
public sealed partial class BillingStore(
    TollgateDatabase database, CatalogCache catalog, EntitlementContextCache contexts, IOptions<BillingOptions> options, TimeProvider time,
    BillingCycle cycle)
{
    public Task<Subscription?> ReadAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE id = @id", new { id }, cancellationToken: cancellationToken)))?.ToDomain(),
            cancellationToken);

    // Stripe decides a linked subscription's state and its webhooks bring it here; a change made only here would be
    // overwritten by Stripe's next update, and never billed. The API makes such changes through Stripe (StripeSubscriptions).
    private static readonly BillingResult.Conflict ManagedByStripe = new("managed_by_stripe",
        "This subscription is billed through Stripe: change or cancel it through the API (POST /v1/subscriptions/{id}/change or /cancel), " +
        "which asks Stripe, or in the Stripe customer portal (POST /v1/billing/portal-sessions).");

    public Task<BillingResult> CreateAsync(Subscription subscription, CancellationToken cancellationToken = default) =>
        CreateAsync(subscription, null, cancellationToken);

    /// <summary>Creates a subscription, redeeming <paramref name="discount"/> for it in the same transaction.</summary>
    public async Task<BillingResult> CreateAsync(Subscription subscription, DiscountRequest? discount, CancellationToken cancellationToken = default)
    {
        try
        {
            var invoice = await database.WriteAsync((c, tx) => CreateInAsync(c, tx, subscription, cancellationToken, discount), cancellationToken);
            return new BillingResult.Done(subscription, null, null, [], invoice);
        }
        catch (DiscountRefusedException e)
        {
            return new BillingResult.DiscountRefused(e.Reason, e.Message);
        }
        catch (CurrencyMismatchException e)
        {
            return new BillingResult.Conflict("currency_mismatch", e.Message);
        }
        catch (System.Data.Common.DbException e) when (database.IsUniqueViolation(e))
        {
            return new BillingResult.Conflict("subscription_exists",
                $"Customer '{subscription.CustomerId}' already has a live subscription; change it instead.");
        }
        finally
        {
            contexts.Invalidate(subscription.CustomerId);
        }
    }

    /// <summary>Inserts a subscription and issues its first invoice (when it starts active) inside the caller's transaction.</summary>
    internal async Task<string?> CreateInAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Subscription subscription, CancellationToken cancellationToken,
        DiscountRequest? discount = null)
    {
        var version = await VersionAsync(subscription.PlanVersionId, cancellationToken);
        var price = subscription.PriceOn(version)!;
        // The instant the subscription was made is the operation's: its discount starts and its first invoice is issued then.
        var at = new OperationClock(subscription.CreatedAt);
        var (subscriptions, invoices) = Writers(c, tx, at, cancellationToken);
        await subscriptions.LockCustomerAsync(subscription.CustomerId, database.Dialect);
        // Under the customer's lock, so two first subscriptions in different currencies cannot both fix theirs. One Stripe
        // already bills (its webhook) is recorded as Stripe sold it.
        if (!await CustomerCurrency.FixInAsync(c, tx, subscription.CustomerId, price.Currency, cancellationToken)
            && subscription.StripeSubscriptionId is null)
        {
            var fixedCurrency = await c.QuerySingleAsync<string>(new CommandDefinition("SELECT currency FROM customers WHERE id = @id",
                new { id = subscription.CustomerId }, tx, cancellationToken: cancellationToken));
            throw new CurrencyMismatchException(CustomerCurrency.Mismatch(subscription.CustomerId, fixedCurrency, price.Currency));
        }

        var reason = subscription.Status == SubscriptionStatus.Trialing ? "trial_started" : "created";
        await subscriptions.InsertAsync(subscription, reason, price, wasTrial: false);
        // A window already open (a day, a calendar month, a lifetime) holds what the customer used before subscribing.
        await OverageBilling.SettleOpenAsync(c, tx, subscription.CustomerId, subscription.OverageTermsOn(version), subscription.CreatedAt, cancellationToken,
            (await catalog.GetAsync(cancellationToken)).Metrics);
        if (discount is not null)
        {
            await new DiscountWriter(c, tx, at, cancellationToken).RedeemAsync(discount, subscription.Id, subscription.CustomerId, subscription.PlanCode,
                price.Currency);
        }

        return subscription.Status == SubscriptionStatus.Active
            ? await invoices.IssueAsync(subscription, price.Currency, BillingReasons.SubscriptionCreate,
                price.PriceCents > 0 ? [PlanChange.Recurring(version, price, subscription.CurrentPeriod, subscription.SeatsOn(price))] : [],
                subscription.CurrentPeriodStart, subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd)
            : null;
    }

    /// <summary>Changes the plan (or, with <paramref name="preview"/>, works out the same lines and writes nothing).</summary>
    public Task<BillingResult> ChangePlanAsync(
        string id, PlanVersion to, BillingInterval interval, ChangeTiming? effective, ProrationBehavior proration, bool preview,
        CancellationToken cancellationToken = default) =>
        ChangePlanAsync(id, to, interval, effective, proration, preview, null, cancellationToken);

    /// <summary>
    /// Changes the plan, redeeming <paramref name="discount"/> from the change on: the credit for the old plan's unused
    /// time keeps the discount that was in force, the charge for the new plan takes the one in force after the change.
    /// </summary>
    public async Task<BillingResult> ChangePlanAsync(
        string id, PlanVersion to, BillingInterval interval, ChangeTiming? effective, ProrationBehavior proration, bool preview,
        DiscountRequest? discount, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ChangePlanInAsync(id, to, interval, effective, proration, preview, discount, cancellationToken);
        }
        catch (DiscountRefusedException e)
        {
            return new BillingResult.DiscountRefused(e.Reason, e.Message);
        }
    }

    private async Task<BillingResult> ChangePlanInAsync(
        string id, PlanVersion to, BillingInterval interval, ChangeTiming? effective, ProrationBehavior proration, bool preview,
        DiscountRequest? discount, CancellationToken cancellationToken)
    {
        var result = await database.WriteAsync<BillingResult>(async (c, tx) =>
        {
            var at = OperationClock.Now(time);
            var (subscriptions, invoices) = Writers(c, tx, at, cancellationToken);
            // A preview writes nothing, so it may show what a Stripe-billed subscription's change would prorate.
            var (read, refused) = await ChangeableAsync(subscriptions, id, allowStripe: preview);
            if (read is null)
            {
                return refused!;
            }

            // A preview writes nothing of its own and takes no lock, unless a period or trial end is due: that is applied first,
            // as for the change, so both are judged on the subscription as it stands now.
            var current = !preview || BillingCycle.IsDue(read, at.Instant) ? await CaughtUpAsync(c, tx, subscriptions, read, at.Instant, cancellationToken) : read;
            if (current is null)
            {
                return new BillingResult.NotFound();
            }

            if (!current.IsLive || current.Status == SubscriptionStatus.Incomplete)
            {
                return new BillingResult.Conflict("subscription_not_live", $"The subscription is {current.Status.ToWire()}; start a new one instead.");
            }

            // Again on the row this transaction read: the same change sent twice at once passed the endpoint's check (a read
            // before either committed), and the second then answered 200 with no lines for a change already made.
            if (current.AlreadyOn(to.Id, interval))
            {
                return BillingResult.NoChange;
            }

            var from = await VersionAsync(current.PlanVersionId, cancellationToken);
            // The subscription keeps its currency: a plan that does not price it cannot take the subscription.
            if (to.Terms.Price(interval, current.Currency) is not { } toPrice)
            {
                return CurrencyMismatch(current, to, interval);
            }

            var change = PlanChange.Apply(current, from, to, interval, effective, proration, at.Instant);
            var discounts = new DiscountWriter(c, tx, at, cancellationToken);
            // Read before the change redeems a new code: the old plan's usage keeps the discount it was counted under.
            var before = await discounts.InForceAsync(current.Id, at.Instant, toPrice.Currency);
            (change, var after) = await discounts.DiscountChangeAsync(change, current, to.PlanCode, toPrice.Currency, discount, preview);
            // An immediate change ends the old plan's terms now: the overage counted under them so far is billed at the old
            // plan's prices and quota, and the new plan counts only what comes after. A change that re-anchors the period
            // invoices it now with the new period's fee; one that keeps the period adds it to the next invoice, as Stripe
            // bills a removed metered price's usage on the next invoice. A trial bills no overage, so its change none either.
            var settles = change.Effective == ChangeTiming.Immediate && current.Status != SubscriptionStatus.Trialing
                && !(to.Id == current.PlanVersionId && interval == current.BillingPeriod);
            var reanchored = settles && change.Subscription.CurrentPeriodStart != current.CurrentPeriodStart;
            var snapshot = settles ? await catalog.GetAsync(cancellationToken) : null;
            // One reading of the old plan's overage for the preview and the change; only the change marks it as billed.
            async Task<IReadOnlyList<InvoiceLine>> OverageAsync(bool mark) => settles
                ? await OverageBilling.UpToChangeAsync(c, tx, current.CustomerId, current.OverageTermsOn(from), change.Subscription.OverageTermsOn(to),
                    snapshot!.Features, current.CurrentPeriod, change.EffectiveAt, mark, cancellationToken, snapshot.Metrics)
                : [];
            var overage = await OverageAsync(mark: !preview);
            var pending = reanchored ? change.PendingLines : [.. change.PendingLines, .. DiscountedLines.Apply(overage, before, alongside: change.PendingLines)];
            IReadOnlyList<InvoiceLine> dueNow = reanchored ? [.. change.InvoiceNowLines, .. overage] : change.InvoiceNowLines;
            // always_invoice: the pending items (this change's prorations and overage among them) are invoiced now, as
            // Stripe's always_invoice does, instead of waiting for the next renewal (a year away on a yearly plan). They go
            // in as pending items first, so the invoice carries them as it would at renewal, each with its own discount.
            var invoiceNow = proration == ProrationBehavior.AlwaysInvoice && pending.Count > 0;
            if (preview)
            {
                // The invoice the change would issue now, priced by the issue's own steps (pending items swept in, the discount
                // in force after the change, tax), written nowhere.
                var wouldIssue = dueNow.Count > 0 || invoiceNow
                    ? await invoices.PreviewAsync(change.Subscription, toPrice.Currency, BillingReasons.SubscriptionUpdate, dueNow, change.EffectiveAt,
                        change.Subscription.CurrentPeriodStart, change.Subscription.CurrentPeriodEnd, new DiscountOverride(after),
                        alsoPending: invoiceNow ? pending : null)
                    : null;
                return new BillingResult.Done(change.Subscription, change.Effective, change.EffectiveAt,
                    [.. invoiceNow ? [] : pending, .. wouldIssue?.Lines ?? []], null, wouldIssue);
            }

            var reason = change.Effective == ChangeTiming.PeriodEnd ? "plan_change_scheduled" : "plan_changed";
            var stored = await subscriptions.UpdateAsync(current, change.Subscription, reason, await PriceOfAsync(change.Subscription, cancellationToken), change.EffectiveAt);
            if (stored is null)
            {
                return Busy();
            }

            await invoices.AddPendingAsync(stored, toPrice.Currency, pending);
            // The answer shows the invoice issued now as it was issued: its lines (pending items included), discounts and tax.
            var issued = dueNow.Count > 0 || invoiceNow
                ? await invoices.IssueAndReadAsync(stored, toPrice.Currency, BillingReasons.SubscriptionUpdate, dueNow, change.EffectiveAt,
                    stored.CurrentPeriodStart, stored.CurrentPeriodEnd)
                : null;
            return new BillingResult.Done(stored, change.Effective, change.EffectiveAt, [.. invoiceNow ? [] : pending, .. issued?.Lines ?? []], issued?.Id, issued);
        }, cancellationToken);
        Invalidate(result);
        return result;
    }

    /// <summary>
    /// Takes the customer's lock (before the discount's coupon row and the subscription's: the customer's row comes first,
    /// <see cref="CustomerLock"/>) and applies the trial end or renewals due by <paramref name="now"/> that the worker has
    /// not reached yet, so a request is judged on the subscription as it stands at <paramref name="now"/>: an undo after
    /// the period ended finds it canceled, a change after a trial ended finds it active. The subscription after them.
    /// </summary>
    private async Task<Subscription?> CaughtUpAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, SubscriptionWriter subscriptions, Subscription read, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await subscriptions.LockCustomerAsync(read.CustomerId, database.Dialect);
        var (steps, current) = await cycle.CatchUpInAsync(c, tx, read.Id, now, null, cancellationToken);
        if (steps > 0)
        {
            // Invalidated again once the caller commits (Invalidate); this drops what was cached before the steps.
            contexts.Invalidate(read.CustomerId);
        }

        return current;
    }

    /// <summary>The subscription, or why Tollgate may not change it: there is none, or Stripe owns its changes.</summary>
    private static async Task<(Subscription? Current, BillingResult? Refused)> ChangeableAsync(
        SubscriptionWriter subscriptions, string id, bool allowStripe = false) =>
        await subscriptions.ReadAsync(id) switch
        {
            null => (null, new BillingResult.NotFound()),
            { StripeSubscriptionId: not null } when !allowStripe => (null, ManagedByStripe),
            var current => (current, null),
        };

    /// <summary>The writers of one operation, reading <paramref name="at"/>, its one instant.</summary>
    private (SubscriptionWriter Subscriptions, InvoiceWriter Invoices) Writers(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, OperationClock at, CancellationToken cancellationToken) =>
        (new SubscriptionWriter(c, tx, at, cancellationToken), new InvoiceWriter(c, tx, at, options.Value, cancellationToken));

    private static BillingResult.Conflict CurrencyMismatch(Subscription current, PlanVersion to, BillingInterval interval) => new(
        "currency_mismatch",
        $"The subscription is in {current.Currency}, and plan '{to.PlanCode}' has no {interval.ToWire()} price in it "
        + $"(it offers {string.Join(", ", to.Terms.Currencies)}).");

    private async Task<PlanPrice> PriceOfAsync(Subscription s, CancellationToken cancellationToken) =>
        s.PriceOn(await VersionAsync(s.PlanVersionId, cancellationToken))!;

    private async Task<PlanVersion> VersionAsync(string id, CancellationToken cancellationToken) =>
        await catalog.GetVersionAsync(id, cancellationToken) ?? throw new InvalidOperationException($"plan version {id} is missing");

    private static BillingResult.Conflict Busy() =>
        new("concurrent_change", "The subscription changed while this request ran; read it again and retry.");

    private void Invalidate(BillingResult result)
    {
        if (result is BillingResult.Done done)
        {
            contexts.Invalidate(done.Subscription.CustomerId);
        }
    }
}
