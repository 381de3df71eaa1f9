using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Billing;

/// <summary>
/// The work that falls due with time, in order: trial ends, renewals with their invoices, invoices past due, grace
/// periods that run out. Each subscription moves in its own transaction and only from the revision it read, so two
/// nodes running this at once apply each step exactly once; each takes the customer's row before writing (<see cref="CustomerLock"/>).
/// </summary>
public sealed partial class BillingCycle(
    TollgateDatabase database, CatalogCache catalog, EntitlementContextCache contexts, IOptions<BillingOptions> options, TimeProvider time,
    ILogger<BillingCycle> logger)
{
    public const string Overdue = "invoice_overdue";
    public const string Suspended = "entitlements_suspended";

    /// <summary>Stripe could not collect an invoice (Stripe's past_due).</summary>
    public const string PaymentFailed = "payment_failed";

    /// <summary>Stripe gave up retrying (Stripe's unpaid).</summary>
    public const string Unpaid = "unpaid";

    /// <summary>How often a renewal that keeps failing is logged again after its first failure, which is logged in full.</summary>
    public static readonly TimeSpan FailureLogInterval = TimeSpan.FromHours(1);

    // When each failing renewal was last logged: a worker ticking every few seconds wrote a stack a tick for each.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> failuresLogged = new(StringComparer.Ordinal);

    /// <summary>How long before a trial ends its subscription.trial_will_end is sent, as Stripe does.</summary>
    public static readonly TimeSpan TrialWarning = TimeSpan.FromDays(3);

    /// <summary>
    /// Announces trials that end within <see cref="TrialWarning"/> (at once for a shorter trial), each once: the UPDATE
    /// that marks one as warned is what lets only one node announce it. Stripe-linked trials get Stripe's own event.
    /// </summary>
    public async Task<int> WarnOfTrialEndsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var due = await database.ReadAsync(async c => (await c.QueryAsync<string>(new CommandDefinition("""
            SELECT id FROM subscriptions
            WHERE status = 'trialing' AND trial_will_end_sent_at IS NULL AND stripe_subscription_id IS NULL AND trial_end_at <= @warnFrom
            ORDER BY id
            """, new { warnFrom = (now + TrialWarning).ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).ToList(), cancellationToken);
        var sent = 0;
        foreach (var id in due)
        {
            sent += await database.WriteAsync(async (c, tx) =>
            {
                var subscriptions = new SubscriptionWriter(c, tx, time, cancellationToken);
                if (await subscriptions.ReadAsync(id) is not { } read)
                {
                    return 0;
                }

                await subscriptions.LockCustomerAsync(read.CustomerId, database.Dialect);
                var marked = await c.ExecuteAsync(new CommandDefinition(
                    "UPDATE subscriptions SET trial_will_end_sent_at = @now WHERE id = @id AND status = 'trialing' AND trial_will_end_sent_at IS NULL",
                    new { id, now = now.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
                if (marked == 0 || await subscriptions.ReadAsync(id) is not { } trial)
                {
                    return 0;
                }

                var version = await catalog.GetVersionAsync(trial.PlanVersionId, cancellationToken)
                    ?? throw new InvalidOperationException($"plan version {trial.PlanVersionId} is missing");
                await subscriptions.NoteAsync(trial, "trial_will_end", trial.PriceOn(version)!, now);
                return 1;
            }, cancellationToken);
        }

        return sent;
    }

    /// <summary>Trial ends and renewals, each with its invoice.</summary>
    public async Task<int> RunRenewalsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var steps = 0;
        foreach (var id in await DueSubscriptionsAsync(now, cancellationToken))
        {
            try
            {
                steps += await AdvanceAsync(id, now, cancellationToken);
                failuresLogged.TryRemove(id, out _);
            }
            catch (Exception e) when (e is not (OperationCanceledException or System.Data.Common.DbException or TimeoutException))
            {
                // One subscription that cannot be billed (an overage past what an amount can hold) held up every renewal,
                // dunning step and expiry after it on every tick. It is logged and tried again on the next tick; the
                // others go on. An outage still ends the run, so the worker waits and retries as a whole.
                LogFailedRenewal(id, e);
            }
        }

        return steps;
    }

    /// <summary>The first failure in full, then one line an hour while it goes on (on the machine's clock, not the test clock).</summary>
    private void LogFailedRenewal(string id, Exception e)
    {
        var now = DateTimeOffset.UtcNow;
        if (!failuresLogged.TryGetValue(id, out var last))
        {
            failuresLogged[id] = now;
            logger.LogError(e, "Renewal of subscription {Subscription} failed; the other renewals go on, and it is tried again on each tick", id);
        }
        else if (now - last >= FailureLogInterval)
        {
            failuresLogged[id] = now;
            logger.LogError("Renewal of subscription {Subscription} still fails: {Error}{Advice}", id, e.Message,
                e is OverflowException ? "; an immediate cancel with bill_usage false ends it without billing its usage" : "");
        }
    }

    /// <summary>Invoices past due, then grace periods that ran out.</summary>
    public async Task<int> RunDunningAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await MarkOverdueAsync(now, cancellationToken) + await EndGraceAsync(now, cancellationToken);

    /// <summary>The earliest instant at which something falls due, for a test clock stepping through time.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken = default)
    {
        var grace = (long)options.Value.Grace.TotalMilliseconds;
        var next = await database.ReadAsync(c => c.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            SELECT MIN(due) FROM (
                SELECT MIN(trial_end_at) AS due FROM subscriptions WHERE status = 'trialing'
                UNION ALL SELECT MIN(trial_end_at) - {(long)TrialWarning.TotalMilliseconds} FROM subscriptions
                    WHERE status = 'trialing' AND trial_will_end_sent_at IS NULL AND stripe_subscription_id IS NULL
                UNION ALL SELECT MIN(current_period_end) FROM subscriptions WHERE status IN ('active', 'past_due')
                UNION ALL SELECT MIN(i.due_at) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
                    WHERE i.status = 'open' AND s.status = 'active' AND s.collection_method = 'send_invoice'
                UNION ALL SELECT MIN(past_due_since) + {grace} FROM subscriptions
                    WHERE status = 'past_due' AND (dunning_state IS NULL OR dunning_state <> '{Suspended}')
                UNION ALL SELECT MIN(expires_at) FROM reservations WHERE status = 'held'
            ) due_times
            """, cancellationToken: cancellationToken)), cancellationToken);
        return next is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    private Task<List<string>> DueSubscriptionsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ReadAsync(async c => (await c.QueryAsync<string>(new CommandDefinition("""
            SELECT id FROM subscriptions
            WHERE (status = 'trialing' AND trial_end_at <= @now) OR (status IN ('active', 'past_due') AND current_period_end <= @now)
            ORDER BY id
            """, new { now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).ToList(), cancellationToken);

    /// <summary>Steps one subscription through every trial end and renewal up to <paramref name="now"/>.</summary>
    private async Task<int> AdvanceAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var (steps, customer) = await database.WriteAsync(async (c, tx) =>
        {
            var subscriptions = new SubscriptionWriter(c, tx, time, cancellationToken);
            if (await subscriptions.ReadAsync(id) is not { } unlocked)
            {
                return (0, "");
            }

            // A plan change writes under the customer's lock, so the subscription and its versions are read again once it is
            // held: on PostgreSQL's READ COMMITTED a change committing between two reads made before it would leave the
            // versions without the subscription's plan version (a KeyNotFoundException, and that renewal failed).
            await subscriptions.LockCustomerAsync(unlocked.CustomerId, database.Dialect);
            var (count, current) = await CatchUpInAsync(c, tx, id, now, snapshot, cancellationToken);
            return (count, current?.CustomerId ?? unlocked.CustomerId);
        }, cancellationToken);
        if (steps > 0)
        {
            contexts.Invalidate(customer);
            logger.LogInformation("Subscription {Id}: {Steps} billing step(s) applied", id, steps);
        }

        return steps;
    }

    /// <summary>
    /// Applies every trial end and renewal of subscription <paramref name="id"/> due by <paramref name="now"/>, each
    /// invoiced at its own instant, inside the caller's transaction, which holds the customer's lock. The worker calls it,
    /// and so does every change to a subscription before it judges the request, so a change never acts on a period or
    /// trial that has already ended but that the worker (which runs every few seconds) has not reached yet.
    /// Answers the steps applied and the subscription as it stands after them.
    /// </summary>
    internal async Task<(int Steps, Subscription? Current)> CatchUpInAsync(
        DbConnection c, DbTransaction tx, string id, DateTimeOffset now, CatalogSnapshot? snapshot, CancellationToken cancellationToken)
    {
        var subscriptions = new SubscriptionWriter(c, tx, time, cancellationToken);
        if (await subscriptions.ReadAsync(id) is not { } current)
        {
            return (0, null);
        }

        if (!IsDue(current, now))
        {
            return (0, current); // nothing due: no more reads
        }

        snapshot ??= await catalog.GetAsync(cancellationToken);
        var invoices = new InvoiceWriter(c, tx, time, options.Value, cancellationToken);
        var versions = await VersionsAsync(c, tx, id, cancellationToken);
        var hasPaymentMethod = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT has_payment_method FROM customers WHERE id = @id", new { id = current.CustomerId }, tx, cancellationToken: cancellationToken));
        var count = 0;
        while (SubscriptionCycle.Next(current, now, v => versions[v], options.Value.CancelTrialsWithoutPaymentMethod, hasPaymentMethod) is { } step)
        {
            var next = step.Subscription;
            var price = next.PriceOn(versions[next.PlanVersionId])!;
            var stored = await subscriptions.UpdateAsync(current, next, step.Kind switch
            {
                CycleKind.TrialConverted => "trial_converted",
                CycleKind.TrialCanceled => "trial_canceled",
                CycleKind.Renewed => "renewed",
                _ => "ended",
            }, price, step.At);
            if (stored is null)
            {
                break; // another node moved it first
            }

            var renewal = await RenewalAsync(c, tx, current, step, versions, snapshot, mark: true, cancellationToken);
            if (step.Kind == CycleKind.TrialConverted)
            {
                // The free trial's use in a window that goes on past it (a day, a calendar month) is not billed after it.
                await OverageBilling.SettleOpenAsync(c, tx, stored.CustomerId, stored.OverageTermsOn(versions[stored.PlanVersionId]), step.At, cancellationToken,
                    snapshot.Metrics);
            }

            await invoices.IssueAsync(stored, price.Currency, renewal.Reason, renewal.Lines, step.At, renewal.PeriodStart, renewal.PeriodEnd);
            current = stored;
            count++;
        }

        return (count, current);
    }

    /// <summary>Whether a trial end or a period end of <paramref name="s"/> has passed by <paramref name="now"/> (what the worker picks up).</summary>
    internal static bool IsDue(Subscription s, DateTimeOffset now) =>
        (s.Status == SubscriptionStatus.Trialing && s.TrialEndAt <= now)
        || (s.Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue && s.CurrentPeriodEnd <= now);

    /// <summary>The plan versions a subscription's steps read: its own and the one it changes to at period end.</summary>
    private async Task<Dictionary<string, PlanVersion>> VersionsAsync(DbConnection c, DbTransaction tx, string id, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, PlanVersion>(StringComparer.Ordinal);
        foreach (var versionId in await c.QueryAsync<string>(new CommandDefinition(
            "SELECT plan_version_id FROM subscriptions WHERE id = @id UNION SELECT pending_plan_version_id FROM subscriptions WHERE id = @id " +
            "AND pending_plan_version_id IS NOT NULL", new { id }, tx, cancellationToken: cancellationToken)))
        {
            versions[versionId] = await catalog.GetVersionAsync(versionId, cancellationToken)
                ?? throw new InvalidOperationException($"plan version {versionId} is missing");
        }

        return versions;
    }

    /// <summary>An invoice sent for manual payment that passes its due date makes its subscription past due.</summary>
    private async Task<int> MarkOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var overdue = await database.ReadAsync(async c => (await c.QueryAsync<(string Subscription, long DueAt)>(new CommandDefinition("""
            SELECT s.id, MIN(i.due_at) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
            WHERE i.status = 'open' AND i.due_at <= @now AND s.status = 'active' AND s.collection_method = 'send_invoice'
            GROUP BY s.id
            """, new { now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).ToList(), cancellationToken);
        var count = 0;
        foreach (var (id, dueAt) in overdue)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(dueAt);
            count += await TransitionAsync(id, s => s.Status == SubscriptionStatus.Active
                ? s with { Status = SubscriptionStatus.PastDue, PastDueSince = at, DunningState = Overdue, UpdatedAt = at }
                : null, "past_due", at, cancellationToken);
        }

        return count;
    }

    /// <summary>A past-due subscription whose grace ran out loses its entitlements; the dunning state says so.</summary>
    private async Task<int> EndGraceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = (now - options.Value.Grace).ToUnixTimeMilliseconds();
        var ids = await database.ReadAsync(async c => (await c.QueryAsync<string>(new CommandDefinition($"""
            SELECT id FROM subscriptions
            WHERE status = 'past_due' AND past_due_since <= @cutoff AND (dunning_state IS NULL OR dunning_state <> '{Suspended}')
            """, new { cutoff }, cancellationToken: cancellationToken))).ToList(), cancellationToken);
        var count = 0;
        foreach (var id in ids)
        {
            count += await TransitionAsync(id, s => s is { Status: SubscriptionStatus.PastDue, PastDueSince: { } since }
                ? s with { DunningState = Suspended, UpdatedAt = since + options.Value.Grace }
                : null, "grace_ended", null, cancellationToken);
        }

        return count;
    }

    /// <summary>Applies a state change to one subscription if it still applies; 1 when it did.</summary>
    internal async Task<int> TransitionAsync(
        string id, Func<Subscription, Subscription?> change, string reason, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var customer = await database.WriteAsync((c, tx) => TransitionInAsync(c, tx, id, change, reason, at, cancellationToken), cancellationToken);
        if (customer is null)
        {
            return 0;
        }

        contexts.Invalidate(customer);
        return 1;
    }

    /// <summary>
    /// The state change inside the caller's transaction; the customer whose entitlements changed (for the caller to
    /// <see cref="Invalidate"/> once it commits), or null when the change no longer applied.
    /// </summary>
    internal async Task<string?> TransitionInAsync(
        DbConnection c, DbTransaction tx, string id, Func<Subscription, Subscription?> change, string reason, DateTimeOffset? at,
        CancellationToken cancellationToken)
    {
        var subscriptions = new SubscriptionWriter(c, tx, time, cancellationToken);
        var current = await subscriptions.ReadAsync(id);
        if (current is null || change(current) is not { } next)
        {
            return null;
        }

        await subscriptions.LockCustomerAsync(current.CustomerId, database.Dialect);
        var price = next.PriceOn((await catalog.GetVersionAsync(next.PlanVersionId, cancellationToken))!)!;
        return await subscriptions.UpdateAsync(current, next, reason, price, at ?? next.UpdatedAt) is null ? null : current.CustomerId;
    }

    /// <summary>Drops the cached entitlements of a customer whose subscription a committed transaction changed.</summary>
    internal void Invalidate(string customerId) => contexts.Invalidate(customerId);
}
