namespace Tollgate.Contracts;

/// <summary>Registers an endpoint for outbound webhooks.</summary>
/// <param name="Url">An absolute http(s) URL that answers 2xx.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Events">The event types to send; empty or absent for all.</param>
/// <param name="Secret">The signing secret to use (16 to 256 printable characters; for the standard scheme whsec_ and the base64 of 24 to
/// 64 bytes); generated when absent.</param>
/// <param name="SignatureScheme">"tollgate" (the default: Tollgate-Signature, which Stripe's libraries verify) or "standard" (Standard
/// Webhooks: webhook-id, webhook-timestamp, webhook-signature).</param>
public sealed record CreateWebhookEndpointRequest(string Url, string? Description = null, IReadOnlyList<string>? Events = null, string? Secret = null,
    string? SignatureScheme = null);

/// <summary>A webhook endpoint.</summary>
/// <param name="Id">The endpoint's id.</param>
/// <param name="Url">Where events are posted.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Events">The event types sent to it; empty for all.</param>
/// <param name="Enabled">False while disabled.</param>
/// <param name="Secret">The signing secret (whsec_… when generated); in the answer that creates the endpoint only.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="SignatureScheme">How deliveries are signed: "tollgate" or "standard".</param>
/// <param name="PreviousSecretExpiresAt">
/// After a rotation, until when the replaced secret still signs beside the new one; null when none does (past instants
/// mean it has stopped).
/// </param>
public sealed record WebhookEndpointResponse(
    string Id, string Url, string? Description, IReadOnlyList<string> Events, bool Enabled, string? Secret, DateTimeOffset CreatedAt,
    string SignatureScheme = "tollgate", DateTimeOffset? PreviousSecretExpiresAt = null);

/// <summary>A new signing secret for an endpoint; the body may be empty.</summary>
/// <param name="Secret">The new secret; a new random one in the endpoint's scheme when absent. It must differ from the current one.</param>
/// <param name="PreviousSecretExpiresInHours">
/// How long the replaced secret keeps signing beside the new one: 0 (it stops at once) to 168; 24 when absent.
/// </param>
public sealed record RotateWebhookSecretRequest(string? Secret = null, int? PreviousSecretExpiresInHours = null);

/// <summary>One event's delivery to one endpoint.</summary>
/// <param name="Id">The delivery's id.</param>
/// <param name="Event">The event's id.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="Endpoint">The endpoint's id.</param>
/// <param name="Url">The endpoint's URL.</param>
/// <param name="Status">pending, succeeded, dead (gave up after 24 hours) or canceled (endpoint disabled or deleted).</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="NextAttemptAt">When the next attempt is due, while pending.</param>
/// <param name="LastAttemptAt">When it was last tried.</param>
/// <param name="LastStatus">The HTTP status of the last attempt, when it got one.</param>
/// <param name="LastError">Why the last attempt failed.</param>
/// <param name="SucceededAt">When it was delivered.</param>
/// <param name="CreatedAt">When it was queued.</param>
/// <param name="Payload">The JSON body sent (when the delivery is read by id).</param>
/// <param name="AttemptLog">Every attempt (when the delivery is read by id).</param>
public sealed record WebhookDeliveryResponse(
    string Id, string Event, string EventType, string Endpoint, string Url, string Status, int Attempts, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt, int? LastStatus, string? LastError, DateTimeOffset? SucceededAt, DateTimeOffset CreatedAt,
    string? Payload = null, IReadOnlyList<WebhookAttemptResponse>? AttemptLog = null);

/// <summary>One attempt at a delivery.</summary>
/// <param name="Attempt">1 for the first.</param>
/// <param name="At">When it was made.</param>
/// <param name="StatusCode">The endpoint's HTTP status, when it answered.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="DurationMs">How long it took.</param>
public sealed record WebhookAttemptResponse(int Attempt, DateTimeOffset At, int? StatusCode, string? Error, long DurationMs);

