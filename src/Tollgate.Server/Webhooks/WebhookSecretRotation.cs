using Dapper;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Webhooks;

/// <summary>
/// Rotates an endpoint's signing secret without a gap: the new secret signs from now on, and the one it replaces keeps
/// signing beside it until its grace ends (Standard Webhooks' zero-downtime rotation; Stripe's "roll secret" with an
/// expiry), so a receiver can switch to the new secret at any moment in between.
/// </summary>
public static class WebhookSecretRotation
{
    /// <summary>How long the replaced secret signs when the request names no grace: a day, as Svix and Stripe default.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromHours(24);

    /// <summary>The longest grace: a week, as Stripe's longest expiry.</summary>
    public const int MaxGraceHours = 168;

    /// <summary>
    /// Sets <paramref name="secret"/> as the endpoint's signing secret and keeps the current one signing for
    /// <paramref name="grace"/> (none when zero). A secret already in its grace is dropped: only the newest old secret
    /// signs. False when there is no such endpoint.
    /// </summary>
    public static Task<bool> RotateAsync(
        TollgateDatabase database, TimeProvider time, string id, string secret, TimeSpan grace, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var now = time.GetUtcNow();
            var changed = await c.ExecuteAsync(new CommandDefinition("""
                UPDATE webhook_endpoints SET previous_secret = CASE WHEN @keep THEN secret END, previous_secret_expires_at = @expires,
                    secret = @secret, updated_at = @now
                WHERE id = @id AND deleted_at IS NULL
                """, new
            {
                id, secret, keep = grace > TimeSpan.Zero, expires = grace > TimeSpan.Zero ? (now + grace).ToUnixTimeMilliseconds() : (long?)null,
                now = now.ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: cancellationToken));
            return changed == 1;
        }, cancellationToken);
}
