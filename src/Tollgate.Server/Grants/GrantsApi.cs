using Tollgate.Core.Entitlements;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Contracts;
using Tollgate.Core.Catalog;
using Tollgate.Core.Grants;
using Tollgate.Server.Http;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Grants;

/// <summary>
/// Credit grants: units of a metered feature (or nano-USD of the LLM budget) beyond the plan's limit, spent after the
/// allowance and before overage.
/// </summary>
public static class GrantsApi
{
    public const long MaxAmount = 1_000_000_000_000;

    public static RouteGroupBuilder MapGrants(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers/{id}/grants").WithTags("Credit grants").RequireAuthorization(Policies.Secret);
        group.MapPost("/", CreateAsync).ProducesProblems(400, 404, 409);
        group.MapGet("/", ListAsync);
        group.MapGet("/{grantId}", GetAsync);
        group.MapPost("/{grantId}/void", VoidAsync);
        return group;
    }

    public static CreditGrantResponse ToWire(CreditGrant g, DateTimeOffset now) => new(
        g.Id, g.CustomerId, g.Feature, g.Amount, g.Used, g.Remaining, g.ExpiresAt, g.Priority, g.Reason, g.PackCode, g.Status(now), g.CreatedAt, g.VoidedAt);

    private static async Task<Results<Created<CreditGrantResponse>, Ok<CreditGrantResponse>, ProblemHttpResult>> CreateAsync(
        string id, CreateCreditGrantRequest request, [FromHeader(Name = TollgateHeaders.IdempotencyKey)] string? idempotencyKey,
        CustomerStore customers, CatalogCache catalog, CreditGrantStore grants, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshot = await catalog.GetAsync(cancellationToken);
        var budget = request.Feature == LlmBudget.FeatureCode;
        var (amount, amountField, amountProblem) = GrantAmount.Read(request, budget);
        var expired = request.ExpiresAt is { } e && e <= now;
        var errors = Validate.Errors(
            ("feature", request.Feature is null ? "is required"
                : !budget && snapshot.Feature(request.Feature) is not { Kind: FeatureKind.Metered }
                    ? $"must be the code of a metered feature in the catalog, or {LlmBudget.FeatureCode}" : null),
            (amountField, amountProblem),
            ("expires_at", expired ? "must be in the future" : null),
            ("priority", request.Priority is < 0 or > 100 ? "must be from 0 to 100" : null),
            ("reason", request.Reason is { Length: > 500 } ? "must be at most 500 characters" : null),
            ("Idempotency-Key", Validate.IdempotencyKey(idempotencyKey)));
        // A retry whose first answer was lost can come after the grant it made has expired: it still gets that grant.
        if (errors.Count == 1 && expired && idempotencyKey is not null
            && await grants.FindBySourceAsync($"grant:{idempotencyKey}", cancellationToken) is { } earlier
            && SameGrant(earlier, Asked(id, request, amount, idempotencyKey)))
        {
            return TollgateHeaders.Replayed(http, ToWire(earlier, now));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        // With a key, a retry whose first answer was lost finds the grant the first call made instead of granting twice. A key
        // is the server's, as Stripe's are the account's: used for another customer it is a mismatch. The prefix keeps a
        // grant's key apart from a pack sale's, which share the unique source_ref.
        var asked = Asked(id, request, amount, idempotencyKey);
        var (grant, created) = await grants.CreateAsync(asked, cancellationToken);
        if (created)
        {
            return TypedResults.Created($"/v1/customers/{id}/grants/{grant.Id}", ToWire(grant, now));
        }

        return SameGrant(grant, asked)
            ? TollgateHeaders.Replayed(http, ToWire(grant, now))
            : Problems.Create(409, "idempotency_mismatch", "This Idempotency-Key was used for a different grant; use a new key for a new grant.");
    }

    private static NewCreditGrant Asked(string id, CreateCreditGrantRequest request, long amount, string? idempotencyKey) =>
        new(id, request.Feature!, amount, request.ExpiresAt, request.Priority ?? CreditGrant.DefaultPriority, request.Reason,
            SourceRef: idempotencyKey is null ? null : $"grant:{idempotencyKey}");

    // Expiry compared to the millisecond, as it is stored.
    private static bool SameGrant(CreditGrant made, NewCreditGrant asked) =>
        (made.CustomerId, made.Feature, made.Amount, made.ExpiresAt?.ToUnixTimeMilliseconds(), made.Priority, made.Reason, made.PackCode)
        == (asked.CustomerId, asked.Feature, asked.Amount, asked.ExpiresAt?.ToUnixTimeMilliseconds(), asked.Priority, asked.Reason,
            asked.PackCode);

    private static async Task<Results<Ok<CreditGrantListResponse>, ProblemHttpResult>> ListAsync(
        string id, [FromQuery] string? limit, string? cursor, CustomerStore customers,
        CreditGrantStore grants, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("credit_grants", limit, cursor, out var request, out var problem))
        {
            return problem!;
        }

        if (await customers.GetAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound("customer", id);
        }

        var page = await grants.ListAsync(id, request, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new CreditGrantListResponse([.. page.Items.Select(g => ToWire(g, now))], page.HasMore, page.NextCursor));
    }

    private static async Task<Results<Ok<CreditGrantResponse>, ProblemHttpResult>> GetAsync(
        string id, string grantId, CreditGrantStore grants, TimeProvider time, CancellationToken cancellationToken) =>
        await grants.GetAsync(id, grantId, cancellationToken) is { } grant
            ? TypedResults.Ok(ToWire(grant, time.GetUtcNow()))
            : Problems.NotFound("credit_grant", grantId);

    private static async Task<Results<Ok<CreditGrantResponse>, ProblemHttpResult>> VoidAsync(
        string id, string grantId, CreditGrantStore grants, TimeProvider time, CancellationToken cancellationToken) =>
        await grants.VoidAsync(id, grantId, cancellationToken) is { } grant
            ? TypedResults.Ok(ToWire(grant, time.GetUtcNow()))
            : Problems.NotFound("credit_grant", grantId);
}
