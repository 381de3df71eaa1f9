using System.Data.Common;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;
using Tollgate.Server.Webhooks;

namespace Tollgate.Server.Billing;

/// <summary>Writes subscription state inside the caller's transaction, each write checked against the revision it read.</summary>
internal sealed class SubscriptionWriter(DbConnection c, DbTransaction tx, TimeProvider time, CancellationToken ct)
{
    /// <summary>
    /// Takes the customer's row lock, so one customer's billing changes (and credit balance) never interleave; taken before
    /// the first write to a subscription, as <see cref="CustomerLock"/> says.
    /// </summary>
    public Task LockCustomerAsync(string customerId, SqlDialect dialect) => CustomerLock.TakeAsync(c, tx, customerId, dialect, ct);

    public async Task<Subscription?> ReadAsync(string id) =>
        (await c.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE id = @id", new { id }, tx, cancellationToken: ct)))?.ToDomain();

    public async Task<Subscription?> ReadStripeAsync(string stripeSubscriptionId) =>
        (await c.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionRow.Columns} FROM subscriptions WHERE stripe_subscription_id = @stripeSubscriptionId",
            new { stripeSubscriptionId }, tx, cancellationToken: ct)))?.ToDomain();

    public async Task InsertAsync(Subscription subscription, string reason, PlanPrice price, bool wasTrial)
    {
        await CustomerStore.InsertSubscriptionAsync(c, tx, subscription, ct);
        await EventAsync(subscription, reason, price, wasTrial, subscription.CreatedAt);
    }

    /// <summary>Stores <paramref name="next"/> if the row is still at <paramref name="previous"/>'s revision; false when another writer got there first.</summary>
    public async Task<Subscription?> UpdateAsync(Subscription previous, Subscription next, string reason, PlanPrice price, DateTimeOffset at)
    {
        var stored = next with { Revision = previous.Revision + 1 };
        var columns = SubscriptionRow.Columns.Split(',').Select(x => x.Trim()).Where(x => x is not "id" and not "created_at");
        var set = string.Join(", ", columns.Select(column => $"{column} = @{Pascal(column)}"));
        var changed = await c.ExecuteAsync(new CommandDefinition(
            $"UPDATE subscriptions SET {set} WHERE id = @Id AND revision = @expected",
            new DynamicParameters(SubscriptionRow.Parameters(stored)).Also("expected", previous.Revision), tx, cancellationToken: ct));
        if (changed == 0)
        {
            return null;
        }

        if (stored.TrialEndAt != previous.TrialEndAt)
        {
            // A trial that ends anew (extended, here or in Stripe) is announced again before its new end.
            await c.ExecuteAsync(new CommandDefinition("UPDATE subscriptions SET trial_will_end_sent_at = NULL WHERE id = @Id",
                new { stored.Id }, tx, cancellationToken: ct));
        }

        await EventAsync(stored, reason, price, previous.Status == SubscriptionStatus.Trialing, at);
        return stored;
    }

    /// <summary>Records something that happened to the subscription without changing it (a trial about to end), for readers of the history.</summary>
    public Task NoteAsync(Subscription subscription, string reason, PlanPrice price, DateTimeOffset at) =>
        EventAsync(subscription, reason, price, subscription.Status == SubscriptionStatus.Trialing, at);

    /// <summary>Records the change in the subscription's history and announces it to webhook endpoints, in this transaction.</summary>
    private async Task EventAsync(Subscription s, string reason, PlanPrice price, bool wasTrial, DateTimeOffset at)
    {
        await HistoryAsync(s, reason, price, wasTrial, at);
        await WebhookOutbox.EnqueueAsync(c, tx, WebhookPayloads.SubscriptionEventType(reason, s.Status), WebhookPayloads.Subscription(s, reason), at, time, ct);
    }

    private Task HistoryAsync(Subscription s, string reason, PlanPrice price, bool wasTrial, DateTimeOffset at) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO subscription_events (id, subscription_id, customer_id, at, reason, status, plan_code, plan_version_id, billing_period,
                price_cents, currency, cancel_at_period_end, was_trial, sequence)
            VALUES (@id, @subscription, @customer, @at, @reason, @status, @plan, @version, @period, @price, @currency, @cancel, @wasTrial, @sequence)
            """, new
        {
            id = Ids.New("sev", time), subscription = s.Id, customer = s.CustomerId, at = at.ToUnixTimeMilliseconds(), reason,
            status = s.Status.ToWire(), plan = s.PlanCode, version = s.PlanVersionId, period = s.BillingPeriod.ToWire(), price = price.PriceCents,
            currency = price.Currency, cancel = s.CancelAtPeriodEnd, wasTrial, sequence = s.Revision,
        }, tx, cancellationToken: ct));

    private static string Pascal(string column) =>
        string.Concat(column.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}

internal static class DynamicParametersExtensions
{
    public static DynamicParameters Also(this DynamicParameters parameters, string name, object? value)
    {
        parameters.Add(name, value);
        return parameters;
    }
}
