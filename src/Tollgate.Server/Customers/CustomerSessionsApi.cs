using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;
using Tollgate.Server.Keys;

namespace Tollgate.Server.Customers;

/// <summary>
/// Customer sessions: the app's backend (secret key) mints a short-lived token for its signed-in customer, which the
/// browser uses in place of any key. What such a token may call is decided in one place, <c>CustomerSessionScope</c>.
/// </summary>
public static class CustomerSessionsApi
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(15);
    public const int MinTtlSeconds = 60;
    public const int MaxTtlSeconds = 24 * 60 * 60;

    public static RouteGroupBuilder MapCustomerSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers/{id}/sessions").WithTags("Customers").RequireAuthorization(Policies.Secret);
        group.MapPost("", CreateAsync).ProducesProblems(400, 404);
        group.MapDelete("/{sessionId}", RevokeAsync).ProducesProblems(404);
        group.MapDelete("", RevokeAllAsync).ProducesProblems(404);
        return group;
    }

    private static async Task<Results<Created<CustomerSessionResponse>, ProblemHttpResult>> CreateAsync(
        string id, CustomerStore customers, CustomerSessionStore sessions, CancellationToken cancellationToken,
        CreateCustomerSessionRequest? request = null)
    {
        if (request?.TtlSeconds is { } ttl && ttl is < MinTtlSeconds or > MaxTtlSeconds)
        {
            return Problems.Validation("ttl_seconds", $"must be {MinTtlSeconds} to {MaxTtlSeconds} (24 hours)");
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        var lifetime = request?.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultLifetime;
        var created = await sessions.CreateAsync(id, lifetime, cancellationToken);
        var r = created.Record;
        return TypedResults.Created($"/v1/customers/{id}/sessions/{r.Id}",
            new CustomerSessionResponse(r.Id, r.CustomerId, created.Token, r.ExpiresAt, r.CreatedAt));
    }

    private static async Task<Results<Ok<CustomerSessionsRevokedResponse>, ProblemHttpResult>> RevokeAsync(
        string id, string sessionId, CustomerSessionStore sessions, CancellationToken cancellationToken) =>
        await sessions.RevokeAsync(id, sessionId, cancellationToken)
            ? TypedResults.Ok(new CustomerSessionsRevokedResponse(1))
            : Problems.NotFound("live session", sessionId);

    /// <summary>
    /// Signs the customer out of every browser at once, such as after a password change. An unknown customer is 404, as
    /// creating a session for one is: "revoked 0" would tell a caller with a mistyped id that the customer was signed out.
    /// </summary>
    private static async Task<Results<Ok<CustomerSessionsRevokedResponse>, ProblemHttpResult>> RevokeAllAsync(
        string id, CustomerStore customers, CustomerSessionStore sessions, CancellationToken cancellationToken) =>
        await customers.GetAsync(id, cancellationToken) is null
            ? Problems.NotFound("customer", id)
            : TypedResults.Ok(new CustomerSessionsRevokedResponse(await sessions.RevokeAllAsync(id, cancellationToken)));
}
