using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Catalog;

namespace Tollgate.Server.Billing;

/// <summary>What a renewal invoices, shared by the renewal itself and the upcoming invoice, so both price one way.</summary>
public sealed partial class BillingCycle
{
    /// <summary>The invoice lines a step issues, its billing reason and service period.</summary>
    private sealed record Renewal(IReadOnlyList<InvoiceLine> Lines, string Reason, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);

    /// <summary>
    /// The step's lines: the new period's fee and the overage of the period it closes. With <paramref name="mark"/> false
    /// (the upcoming invoice) the overage is read, not marked as billed.
    /// </summary>
    private async Task<Renewal> RenewalAsync(
        DbConnection c, DbTransaction tx, Subscription current, CycleStep step, IReadOnlyDictionary<string, PlanVersion> versions,
        CatalogSnapshot snapshot, bool mark, CancellationToken cancellationToken)
    {
        var lines = step.RecurringLines.ToList();
        if (step.EndedPeriod is { } ended && step.EndedVersionId is { } endedVersion)
        {
            // A subscription that ends bills every window still open at its end; one that renews leaves them to the period they end in.
            lines.AddRange(step.Kind == CycleKind.EndedAtPeriodEnd
                ? await OverageBilling.UpToAsync(c, tx, current.CustomerId, current.OverageTermsOn(versions[endedVersion]), snapshot.Features, ended, ended.End, mark,
                    cancellationToken, closedNow: false, snapshot.Metrics)
                : await OverageBilling.EndingInAsync(c, tx, current.CustomerId, current.OverageTermsOn(versions[endedVersion]), snapshot.Features, ended, cancellationToken, mark,
                    snapshot.Metrics));
            // Windows of earlier periods that late events changed after they were invoiced: re-rated on this invoice.
            lines.AddRange(await LateUsageBilling.LinesAsync(c, tx, current, versions[endedVersion], id => catalog.GetVersionAsync(id, cancellationToken),
                snapshot.Features, ended, mark, cancellationToken));
        }

        var stored = step.Subscription;
        return step.Kind == CycleKind.EndedAtPeriodEnd
            ? new Renewal(lines, BillingReasons.SubscriptionCancel, step.EndedPeriod!.Start, step.EndedPeriod!.End)
            : new Renewal(lines, BillingReasons.SubscriptionCycle, stored.CurrentPeriodStart, stored.CurrentPeriodEnd);
    }

    /// <summary>
    /// The invoice the customer's next renewal (or trial end, or end at period end) would issue if it ran now: the usage
    /// counted so far, the fee, pending items, the discount then in force and the credit balance. Computed by the renewal's
    /// own steps (reading, not marking, the overage) in a read-only transaction: one snapshot, and no write lock, so the
    /// portal's home page never queues behind (or holds up) writers. Null when the customer has no live subscription or
    /// the next step issues no invoice (a trial that ends without converting, an end at period end with nothing to bill).
    /// </summary>
    public async Task<Invoice?> UpcomingAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        return await database.ReadSnapshotAsync(async (c, tx) =>
        {
            // The live subscription is found in the same snapshot the renewal's steps read, not in a read before it.
            var id = await c.QueryFirstOrDefaultAsync<string>(new CommandDefinition("""
                SELECT id FROM subscriptions WHERE customer_id = @customerId AND status IN ('trialing', 'active', 'past_due') ORDER BY created_at DESC, id DESC
                """, new { customerId }, tx, cancellationToken: cancellationToken));
            var subscriptions = new SubscriptionWriter(c, tx, time, cancellationToken);
            if (id is null || await subscriptions.ReadAsync(id) is not { } current)
            {
                return null;
            }

            var versions = await VersionsAsync(c, tx, id, cancellationToken);
            var hasPaymentMethod = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT has_payment_method FROM customers WHERE id = @id", new { id = current.CustomerId }, tx, cancellationToken: cancellationToken));
            var at = current is { Status: SubscriptionStatus.Trialing, TrialEndAt: { } trialEnd } ? trialEnd : current.CurrentPeriodEnd;
            if (SubscriptionCycle.Next(current, at, v => versions[v], options.Value.CancelTrialsWithoutPaymentMethod, hasPaymentMethod) is not { } step
                || step.Kind == CycleKind.TrialCanceled)
            {
                return null;
            }

            var price = step.Subscription.PriceOn(versions[step.Subscription.PlanVersionId])!;
            var renewal = await RenewalAsync(c, tx, current, step, versions, snapshot, mark: false, cancellationToken);
            var invoice = await new InvoiceWriter(c, tx, time, options.Value, cancellationToken).PreviewAsync(step.Subscription, price.Currency, renewal.Reason,
                renewal.Lines, step.At, renewal.PeriodStart, renewal.PeriodEnd);
            // An end at period end with no usage to bill issues nothing, so nothing is upcoming.
            return InvoiceWriter.IssuesNothing(invoice.Lines) ? null : invoice;
        }, cancellationToken);
    }
}
