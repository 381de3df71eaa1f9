namespace Tollgate.Contracts;

/// <summary>Adds a member to an organisation (a customer), or updates one already in it.</summary>
/// <param name="Email">The member's email address.</param>
/// <param name="Name">The member's display name.</param>
/// <param name="Role">The member's role in the organisation, as the app names it (owner, admin, member…); member when left out.</param>
public sealed record UpsertMemberRequest(string? Email = null, string? Name = null, string? Role = null);

/// <summary>A member of an organisation; entitlement calls may name its id instead of the organisation's.</summary>
/// <param name="Id">The member's id, unique across every customer and member.</param>
/// <param name="Customer">The organisation (customer) the member belongs to.</param>
/// <param name="Email">The member's email address.</param>
/// <param name="Name">The member's display name.</param>
/// <param name="Role">The member's role.</param>
/// <param name="CreatedAt">When the member was added.</param>
/// <param name="UpdatedAt">When the member last changed.</param>
public sealed record MemberResponse(
    string Id, string Customer, string? Email, string? Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One page of an organisation's members, in id order.</summary>
/// <param name="Data">The members on this page.</param>
/// <param name="HasMore">Whether more members follow.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
public sealed record MemberList(IReadOnlyList<MemberResponse> Data, bool HasMore, string? NextCursor);

/// <summary>Makes a signed, expiring checkout link for a plan (a private plan's offer, typically).</summary>
/// <param name="ExpiresAt">When the link stops working; at most 90 days ahead.</param>
/// <param name="Customer">The customer the offer is for; left out, whoever opens the link gives an email and becomes a new customer.</param>
/// <param name="BillingPeriod">"monthly" or "yearly"; left out, the plan's monthly price, or its yearly one on a plan sold only by the year.</param>
public sealed record CreateOfferLinkRequest(DateTimeOffset ExpiresAt, string? Customer = null, string? BillingPeriod = null);

/// <summary>A signed checkout link for one plan.</summary>
/// <param name="Url">The link to send; it opens the offer page.</param>
/// <param name="Plan">The plan offered.</param>
/// <param name="Customer">The customer it is for, if any.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
public sealed record OfferLinkResponse(string Url, string Plan, string? Customer, DateTimeOffset ExpiresAt);
