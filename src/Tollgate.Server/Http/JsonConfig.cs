using System.Text.Json;
using System.Text.Json.Serialization;

using Tollgate.Core.Json;

namespace Tollgate.Server.Http;

/// <summary>The wire format: snake_case, strict numbers, unknown fields refused, instants in UTC with a Z.</summary>
public static class JsonConfig
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // Strict as the docs promise: "Customer" is not "customer", and a field sent twice is refused, not last-one-wins.
        options.PropertyNameCaseInsensitive = false;
        options.AllowDuplicateProperties = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // A missing or null value for a non-nullable field is a 400 that names the field, not a null inside a handler.
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
        options.Converters.Add(new UtcInstantConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(options);
        return options;
    }
}
