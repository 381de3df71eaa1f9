namespace Tollgate.Contracts;

/// <summary>Mints a customer session token for the signed-in customer, for the app's front end (POST /v1/customers/{id}/sessions).</summary>
/// <param name="TtlSeconds">How long the token works: 60 s to 86,400 s (24 h); 900 (15 minutes) when left out.</param>
public sealed record CreateCustomerSessionRequest(int? TtlSeconds = null);

/// <summary>A customer session: its token reads only this customer's entitlements, usage, alerts and invoices, and starts its checkout, portal and pack purchase.</summary>
/// <param name="Id">The session's id, to revoke it.</param>
/// <param name="Customer">The customer it belongs to.</param>
/// <param name="Token">The bearer token (<c>tg_cs_…</c>), shown only here; hand it to the browser, never a secret key.</param>
/// <param name="ExpiresAt">When the token stops working; mint a new one before then.</param>
/// <param name="CreatedAt">When it was minted.</param>
public sealed record CustomerSessionResponse(string Id, string Customer, string Token, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt);

/// <summary>What a revocation did.</summary>
/// <param name="Revoked">How many sessions stopped working.</param>
public sealed record CustomerSessionsRevokedResponse(int Revoked);
