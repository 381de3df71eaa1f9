namespace Tollgate.Server.Http;

/// <summary>
/// The authorization policies' names. They live with the host, not with <c>Auth</c>, because every capability's endpoints
/// name them while <c>Auth</c> itself reads the key store: keeping them here lets both point one way.
/// </summary>
public static class Policies
{
    /// <summary>Admin keys only: catalog, keys, stats.</summary>
    public const string Admin = "admin";

    /// <summary>Secret or admin keys: server-side calls; a customer session token only where <c>CustomerSessionScope</c> lists it.</summary>
    public const string Secret = "secret";
}
