namespace Tollgate.Core.Customers;

/// <summary>A person in an organisation (a customer): entitlement calls may name them, and they use the organisation's quotas.</summary>
public sealed record Member(string Id, string CustomerId, string? Email, string? Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What adding or updating a member came to.</summary>
public enum MemberWrite
{
    Created,
    Updated,
    CustomerNotFound,
    SeatsExhausted,

    /// <summary>The id is taken: by a member of another organisation, or by a customer.</summary>
    IdTaken,
}
