using Tollgate.Core.Billing;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Billing;

/// <summary>What a billing write came to; the API maps each case to its status code.</summary>
public abstract record BillingResult
{
    private BillingResult()
    {
    }

    /// <summary>
    /// Done. <c>Lines</c> are the lines a change puts on the next invoice, then those of the invoice issued at once;
    /// <c>InvoiceId</c> that invoice, if any, and <c>Invoice</c> it as issued (for a preview, as it would be issued).
    /// </summary>
    public sealed record Done(Subscription Subscription, ChangeTiming? Effective, DateTimeOffset? EffectiveAt, IReadOnlyList<InvoiceLine> Lines,
        string? InvoiceId, Invoice? Invoice = null) : BillingResult;

    public sealed record NotFound : BillingResult;

    /// <summary>The request contradicts the subscription's state (for example, changing a canceled one).</summary>
    public sealed record Conflict(string Error, string Detail) : BillingResult;

    /// <summary>A plan change to what the subscription already has (<see cref="Subscription.AlreadyOn"/>).</summary>
    public static Conflict NoChange { get; } = new("no_change", "The subscription is already on this plan version and billing period.");

    /// <summary>The promotion code or coupon asked for cannot apply (reason: unknown, expired, used_up, ...); nothing was written.</summary>
    public sealed record DiscountRefused(string Reason, string Detail) : BillingResult;
}
