using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

using Tollgate.Core.Json;

namespace Tollgate.Server.Http;

/// <summary>The wire format: snake_case, strict numbers, unknown fields refused, instants in UTC with a Z.</summary>
public static class JsonConfig
{
    // One resolver and one instance of each converter for every options object the process configures: System.Text.Json
    // shares its type metadata (and the accessors it compiles) among options whose settings, resolver and converters are
    // the same instances, so a second host in one process (the tests start over a thousand) does not build it all again.
    private static readonly IJsonTypeInfoResolver Reflection = new DefaultJsonTypeInfoResolver();
    private static readonly JsonConverter Instants = new UtcInstantConverter();
    private static readonly JsonConverter Decimals = new ExactDecimalConverter();
    private static readonly JsonConverter Enums = new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);
    private static readonly ConcurrentDictionary<string, IJsonTypeInfoResolver> SharedChains = new();

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
        options.TypeInfoResolver = Reflection;
        options.Converters.Add(Instants);
        options.Converters.Add(Decimals);
        options.Converters.Add(Enums);
    }

    /// <summary>
    /// Swaps the resolver chain the framework built for this options object (ASP.NET Core puts a new ProblemDetails
    /// context in each host's) for one equal chain per process, so the metadata cache is shared as described above. Only
    /// source-generated contexts, which hold no settings of their own, and the shared resolver may be swapped for another
    /// instance.
    /// </summary>
    public static void ShareMetadata(JsonSerializerOptions options)
    {
        var chain = options.TypeInfoResolverChain.ToArray();
        if (!chain.All(resolver => resolver is JsonSerializerContext || ReferenceEquals(resolver, Reflection)))
        {
            return;
        }

        var key = string.Join('|', chain.Select(resolver => resolver.GetType().AssemblyQualifiedName));
        options.TypeInfoResolver = SharedChains.GetOrAdd(key, _ => JsonTypeInfoResolver.Combine(chain));
    }

    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(options);
        return options;
    }
}
