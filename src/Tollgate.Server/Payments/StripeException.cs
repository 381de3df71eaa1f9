using System.Text.Json;

namespace Tollgate.Server.Payments;

/// <summary>
/// Stripe refused a call, or could not be reached after the client's retries: Stripe's
/// <c>{"error": {type, code, param, message}}</c>, with the HTTP status (0 when no answer came).
/// </summary>
public sealed class StripeException(int status, string type, string? code, string? param, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int Status { get; } = status;

    /// <summary>api_error, card_error, idempotency_error, invalid_request_error; api_connection_error when no answer came.</summary>
    public string Type { get; } = type;

    public string? Code { get; } = code;

    /// <summary>The request parameter at fault, in form terms such as <c>line_items[0][price]</c>.</summary>
    public string? Param { get; } = param;

    public static StripeException FromResponse(int status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return new StripeException(status, Text(error, "type") ?? "api_error", Text(error, "code"), Text(error, "param"),
                    Text(error, "message") ?? $"Stripe answered {status}.");
            }
        }
        catch (JsonException)
        {
            // Not Stripe's error shape (a proxy's page, say): report the status and the start of the body.
        }

        return new StripeException(status, "api_error", null, null, $"Stripe answered {status}: {body[..Math.Min(body.Length, 200)]}");
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
