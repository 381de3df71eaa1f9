using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>The values a query parameter takes, declared on the endpoint next to the check that refuses the rest.</summary>
public sealed record QueryValues(string Name, IReadOnlyList<string> Values);

/// <summary>
/// Query parameters the handlers read as text (so that a bad value is theirs to name) typed as they are checked: a keyset
/// list's <c>limit</c> (beside its <c>cursor</c>) is Lists.TryRead's whole number from 1 to 100, <c>from</c>, <c>to</c>, <c>at</c> and <c>effective_from</c>
/// are instants everywhere in the API (InstantRange, ParseInstant), and a parameter the endpoint declares
/// <see cref="QueryValues"/> for (a status filter) is an enum of them.
/// </summary>
public sealed class QueryParameters : IOpenApiOperationTransformer
{
    private static readonly HashSet<string> Instants = new(StringComparer.Ordinal) { "from", "to", "at", "effective_from" };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var declared = context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryValues>().ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query) ?? [])
        {
            if (parameter.Name == "limit" && IsList(operation))
            {
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = Storage.Database.PageRequest.MaxLimit.ToString(Invariant),
                    Default = JsonValue.Create(Storage.Database.PageRequest.DefaultLimit),
                };
                parameter.Description ??= "How many items a page holds.";
            }
            else if (Instants.Contains(parameter.Name!))
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" };
                parameter.Description ??= "An ISO 8601 instant with its zone, such as 2026-01-31T00:00:00Z; a date alone (2026-01-31) is that day's start in UTC.";
            }
            else if (declared.GetValueOrDefault(parameter.Name!) is { } values)
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. values.Values.Select(v => (JsonNode)JsonValue.Create(v))] };
            }
        }

        return Task.CompletedTask;
    }

    private static readonly IFormatProvider Invariant = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>A keyset list: limit beside cursor, both read by Lists.TryRead.</summary>
    private static bool IsList(OpenApiOperation operation) => operation.Parameters?.Any(p => p.Name == "cursor" && p.In == ParameterLocation.Query) == true;
}
