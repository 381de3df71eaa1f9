namespace Tollgate.Contracts;

/// <summary>A usage alert: a threshold of a feature's limit reached, or a projection that the limit will be reached before the reset.</summary>
/// <param name="Id">The alert's id.</param>
/// <param name="Customer">The customer's id.</param>
/// <param name="Feature">The feature's code.</param>
/// <param name="Kind">threshold, projected (the limit will run out at this pace) or exceeded (a hard cap was used up, or a soft cap was passed).</param>
/// <param name="Threshold">The percentage of the limit reached (0 for projected and exceeded).</param>
/// <param name="Severity">info (below 90 %), warning (90 % and projections) or critical (the limit).</param>
/// <param name="Used">Units used when it fired.</param>
/// <param name="Limit">The period's limit, rollover included.</param>
/// <param name="Message">A sentence to show the customer, such as "You have used 8 of 10 CVs this month."</param>
/// <param name="PeriodStart">Start of the usage period.</param>
/// <param name="PeriodEnd">When the limit resets.</param>
/// <param name="ProjectedAt">For a projection, when usage at its current pace reaches the limit.</param>
/// <param name="CreatedAt">When it fired.</param>
/// <param name="ReadAt">When it was marked read.</param>
public sealed record AlertResponse(
    string Id, string Customer, string Feature, string Kind, int Threshold, string Severity, long Used, long Limit, string Message,
    DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, DateTimeOffset? ProjectedAt, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);
