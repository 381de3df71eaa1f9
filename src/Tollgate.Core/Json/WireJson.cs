using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tollgate.Core.Json;

/// <summary>The API's wire format for stored payloads (webhooks, e-mails): snake_case, instants in UTC with a Z.</summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new UtcInstantConverter(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
