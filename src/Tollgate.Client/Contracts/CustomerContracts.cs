namespace Tollgate.Client.Contracts;

/// <summary>Creates or updates a customer; fields left out keep their stored values.</summary>
/// <param name="Email">The customer's email.</param>
/// <param name="Name">The customer's display name.</param>
/// <param name="Metadata">Up to 50 string pairs the operator keeps with the customer; replaces the stored set when sent.</param>
public sealed record UpsertCustomerRequest(string? Email = null, string? Name = null, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>A customer, identified by the operator's own id for them.</summary>
/// <param name="Id">The operator's id for the customer.</param>
/// <param name="Email">Email, if known.</param>
/// <param name="Name">Display name, if known.</param>
/// <param name="Metadata">The operator's string pairs.</param>
/// <param name="CreatedAt">When Tollgate first saw the customer.</param>
/// <param name="UpdatedAt">When the customer last changed.</param>
public sealed record CustomerResponse(
    string Id, string? Email, string? Name, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Puts a customer on a plan.</summary>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">The plan's code; the plan's newest version is used.</param>
/// <param name="BillingPeriod">"monthly" or "yearly"; the plan must have that price.</param>
public sealed record CreateSubscriptionRequest(string Customer, string Plan, string BillingPeriod = "monthly");

/// <summary>A customer's subscription to one plan version.</summary>
/// <param name="Id">The subscription's id.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Plan">The plan's code.</param>
/// <param name="PlanVersion">The plan version the subscription keeps (grandfathering).</param>
/// <param name="BillingPeriod">"monthly" or "yearly".</param>
/// <param name="Status">trialing, active, past_due, canceled or incomplete.</param>
/// <param name="CurrentPeriodStart">Start of the current period.</param>
/// <param name="CurrentPeriodEnd">End of the current period (exclusive).</param>
/// <param name="TrialEnd">When the trial ends, if there is one.</param>
/// <param name="CancelAtPeriodEnd">Whether the subscription ends at the end of the current period.</param>
/// <param name="CanceledAt">When it was canceled, if it was.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record SubscriptionResponse(
    string Id,
    string Customer,
    string Plan,
    int PlanVersion,
    string BillingPeriod,
    string Status,
    DateTimeOffset CurrentPeriodStart,
    DateTimeOffset CurrentPeriodEnd,
    DateTimeOffset? TrialEnd,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CanceledAt,
    DateTimeOffset CreatedAt);
