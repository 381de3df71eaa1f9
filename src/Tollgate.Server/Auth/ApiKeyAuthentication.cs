using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Tollgate.Server.Http;
using Tollgate.Server.Keys;

namespace Tollgate.Server.Auth;

/// <summary>Authenticates "Authorization: Bearer tg_…" and answers 401/403 as problem+json.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyVerifier verifier,
    CustomerSessionStore sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string FailureKey = "tollgate.auth_failure";
    private const string ExpiredKey = "tollgate.session_invalid";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            Context.Items[FailureKey] = "The Authorization header must be 'Bearer <key>'.";
            return AuthenticateResult.Fail("malformed authorization header");
        }

        var presented = header["Bearer ".Length..].Trim();
        if (CustomerSessionStore.LooksLikeToken(presented))
        {
            return await AuthenticateSessionAsync(presented);
        }

        var verified = await verifier.VerifyAsync(presented, Context.RequestAborted);
        if (verified is null)
        {
            Context.Items[FailureKey] = "The API key is not valid, or it was revoked.";
            return AuthenticateResult.Fail("invalid key");
        }

        var (role, id) = verified.Value;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Role, ApiKeyFormat.RoleName(role))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// A customer session is looked up on every request, uncached: a revocation or an expiry takes effect at once, and
    /// browser traffic is light next to the server-side hot path.
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateSessionAsync(string presented)
    {
        var session = await sessions.VerifyAsync(presented, Context.RequestAborted);
        if (session is null)
        {
            Context.Items[FailureKey] = "The customer session token is not valid: it expired or was revoked. Ask the app's backend for a new one.";
            Context.Items[ExpiredKey] = true;
            return AuthenticateResult.Fail("invalid session");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, session.Id), new Claim(ClaimTypes.Role, CustomerSessionScope.Role),
                new Claim(CustomerSessionScope.CustomerClaim, session.CustomerId),
                new Claim(SessionLinks.ExpiresAtClaim, session.ExpiresAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = Context.Items[FailureKey] as string ?? "This endpoint needs an API key: send 'Authorization: Bearer <key>'.";
        var error = Context.Items.ContainsKey(ExpiredKey) ? "invalid_session"
            : Context.Items.ContainsKey(FailureKey) ? "invalid_api_key" : "missing_api_key";
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Create(401, error, detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Create(403, "forbidden", Context.Items[CustomerSessionScope.ForbiddenDetailKey] as string
            ?? (Context.User.IsInRole(CustomerSessionScope.Role) ? CustomerSessionScope.OutOfScope : "This key's role may not call this endpoint."))
            .ExecuteAsync(Context);
}

/// <summary>Registers the API-key scheme and the policies <see cref="Policies"/> names.</summary>
public static class AuthServices
{
    public static IServiceCollection AddTollgateAuth(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyVerifier>();
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole("admin"))
            .AddPolicy(Policies.Secret, p => p.AddRequirements(new SecretOrSessionRequirement()));
        services.AddSingleton<IAuthorizationHandler, CustomerSessionScope>();
        return services;
    }
}
