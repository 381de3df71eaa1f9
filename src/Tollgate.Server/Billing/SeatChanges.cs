using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Customers;
using Tollgate.Core.Discounts;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Discounts;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Billing;

/// <summary>
/// Seat changes on a subscription's per-seat price, in one transaction under the customer's lock (taken first, as
/// <see cref="CustomerLock"/> says), which member additions also take: seats are never set below the members that hold them.
/// </summary>
public sealed class SeatChanges(
    TollgateDatabase database, CatalogCache catalog, EntitlementContextCache contexts, IOptions<BillingOptions> options, TimeProvider time,
    BillingCycle cycle)
{
    public async Task<BillingResult> ChangeAsync(
        string id, int seats, ChangeTiming? effective, ProrationBehavior proration, bool allowStripe = false, CancellationToken cancellationToken = default)
    {
        var result = await database.WriteAsync<BillingResult>(async (c, tx) =>
        {
            var subscriptions = new SubscriptionWriter(c, tx, time, cancellationToken);
            var now = time.GetUtcNow();
            var unlocked = await subscriptions.ReadAsync(id);
            if (unlocked is null)
            {
                return new BillingResult.NotFound();
            }

            // The customer's lock first, then the trial end or renewals already due, so the seats change the period as it is now.
            await subscriptions.LockCustomerAsync(unlocked.CustomerId, database.Dialect);
            var (steps, current) = await cycle.CatchUpInAsync(c, tx, id, now, null, cancellationToken);
            if (current is null)
            {
                return new BillingResult.NotFound();
            }

            if (steps > 0)
            {
                contexts.Invalidate(current.CustomerId);
            }

            if (current.StripeSubscriptionId is not null && !allowStripe)
            {
                return new BillingResult.Conflict("managed_by_stripe", "This subscription is billed through Stripe; its seats follow Stripe's quantity.");
            }

            if (!current.IsLive)
            {
                return new BillingResult.Conflict("subscription_not_live", $"The subscription is {current.Status.ToWire()}.");
            }

            var version = await catalog.GetVersionAsync(current.PlanVersionId, cancellationToken)
                ?? throw new InvalidOperationException($"plan version {current.PlanVersionId} is missing");
            var price = version.Terms.Price(current.BillingPeriod, current.Currency)!;
            var members = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT member_count FROM customers WHERE id = @customer", new { customer = current.CustomerId }, tx, cancellationToken: cancellationToken));
            if (SeatRules.Check(current.PlanCode, price, seats, members) is { } refused)
            {
                return new BillingResult.Conflict(refused.Error, refused.Detail);
            }

            var change = SeatChange.Apply(current, version, seats, effective, proration, now);
            // Seats added take the subscription's discount in force at the change, as a plan change's charge does and as
            // Stripe discounts a quantity change's prorations; seats removed are credited as they were billed.
            var discounts = new DiscountWriter(c, tx, time, cancellationToken);
            var discount = await discounts.InForceAsync(current.Id, now, price.Currency);
            change = change with { PendingLines = await discounts.ProratedAsync(current.Id, change.PendingLines, discount, discount) };
            var next = change.Subscription;
            var stored = await subscriptions.UpdateAsync(current, next, "seats_changed", next.PriceOn(version)!, change.EffectiveAt);
            if (stored is null)
            {
                return new BillingResult.Conflict("concurrent_change", "The subscription changed while this request ran; read it again and retry.");
            }

            var invoices = new InvoiceWriter(c, tx, time, options.Value, cancellationToken);
            await invoices.AddPendingAsync(stored, price.Currency, change.PendingLines);
            if (proration == ProrationBehavior.AlwaysInvoice && change.PendingLines.Count > 0)
            {
                // Invoiced now with the other pending items, as a plan change's always_invoice is.
                var issued = await invoices.IssueAndReadAsync(stored, price.Currency, BillingReasons.SubscriptionUpdate, [], change.EffectiveAt,
                    stored.CurrentPeriodStart, stored.CurrentPeriodEnd);
                return new BillingResult.Done(stored, change.Effective, change.EffectiveAt, issued?.Lines ?? change.PendingLines, issued?.Id, issued);
            }

            return new BillingResult.Done(stored, change.Effective, change.EffectiveAt, change.PendingLines, null);
        }, cancellationToken);
        if (result is BillingResult.Done done)
        {
            contexts.Invalidate(done.Subscription.CustomerId);
        }

        return result;
    }
}
