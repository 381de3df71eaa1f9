using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Keys;

/// <summary>API keys: create (shown once), list, revoke.</summary>
public static class KeysAdminApi
{
    public static RouteGroupBuilder MapKeysAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/keys").WithTags("Keys").RequireAuthorization(Policies.Admin);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapDelete("/{id}", RevokeAsync);
        return group;
    }

    public static bool TryParseRole(string? text, out ApiKeyRole role)
    {
        role = default;
        return text is "admin" or "secret" or "publishable" && Enum.TryParse(text, ignoreCase: true, out role);
    }

    public static ApiKeyResponse ToWire(ApiKeyRecord r, string? plain = null) =>
        new(r.Id, r.Name, ApiKeyFormat.RoleName(r.Role), r.CreatedAt, r.RevokedAt, plain);

    private static async Task<Results<Created<ApiKeyResponse>, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ApiKeyStore store, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors["name"] = "must be 1-200 characters";
        }

        if (!TryParseRole(request.Role, out var role))
        {
            errors["role"] = "must be admin, secret or publishable";
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var created = await store.CreateAsync(request.Name.Trim(), role, cancellationToken);
        return TypedResults.Created($"/v1/admin/keys/{created.Record.Id}", ToWire(created.Record, created.PlainText));
    }

    /// <summary>Keys oldest first; there are few, so the page is cut from the whole list by the same keyset rule.</summary>
    private static async Task<Results<Ok<ListResponse<ApiKeyResponse>>, ProblemHttpResult>> ListAsync(
        string? limit, string? cursor, ApiKeyStore store, CancellationToken cancellationToken)
    {
        if (!Lists.TryRead("api_keys", limit, cursor, out var page, out var problem))
        {
            return problem!;
        }

        var all = await store.ListAsync(cancellationToken);
        return TypedResults.Ok(Lists.ToWire(Keyset.Walk(all, page, k => new Cursor(k.CreatedAt.ToUnixTimeMilliseconds(), k.Id), descending: false),
            r => ToWire(r)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, ApiKeyStore store, ApiKeyVerifier verifier, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(id, cancellationToken))
        {
            return Problems.NotFound("live key", id);
        }

        verifier.Forget();
        return TypedResults.NoContent();
    }
}
