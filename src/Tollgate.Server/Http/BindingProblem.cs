using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace Tollgate.Server.Http;

/// <summary>
/// Finds which query, route or header value an endpoint could not bind, by trying the handler's own parameters against the
/// request, so that a 400 names the field without reading the framework's message text.
/// </summary>
public static class BindingProblem
{
    /// <summary>The field and what is wrong with it, or null when every simple parameter binds.</summary>
    public static (string Field, string Problem)? Find(HttpContext http)
    {
        if (JsonProblem.Endpoint(http) is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler)
        {
            return null;
        }

        foreach (var parameter in handler.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (Wanted(type) is not { } wanted || Source(parameter, endpoint, http) is not var (name, value))
            {
                continue;
            }

            if (value is null)
            {
                if (!parameter.HasDefaultValue && Nullable.GetUnderlyingType(parameter.ParameterType) is null)
                {
                    return (name, "is required");
                }
            }
            else if (!Parses(type, value))
            {
                return (name, $"'{value}' is not {wanted}");
            }
        }

        return null;
    }

    /// <summary>Where the parameter's value comes from (its name there and the value sent), or null for the body and services.</summary>
    private static (string Name, string? Value)? Source(ParameterInfo parameter, RouteEndpoint endpoint, HttpContext http)
    {
        var attributes = parameter.GetCustomAttributes(inherit: true);
        if (attributes.Any(a => a is IFromBodyMetadata or IFromServiceMetadata or IFromFormMetadata))
        {
            return null;
        }

        if (attributes.OfType<IFromHeaderMetadata>().FirstOrDefault() is { } header)
        {
            var name = header.Name ?? parameter.Name!;
            return (name, Text(http.Request.Headers[name]));
        }

        var query = attributes.OfType<IFromQueryMetadata>().FirstOrDefault();
        var fromRoute = attributes.OfType<IFromRouteMetadata>().FirstOrDefault();
        if (query is null && (fromRoute is not null || endpoint.RoutePattern.GetParameter(parameter.Name!) is not null))
        {
            var name = fromRoute?.Name ?? parameter.Name!;
            return (name, (http.Features.Get<IExceptionHandlerFeature>()?.RouteValues ?? http.Request.RouteValues)[name]?.ToString() is { Length: > 0 } value ? value : null);
        }

        var key = query?.Name ?? parameter.Name!;
        return (key, Text(http.Request.Query[key]));
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values[0];

    private static string? Wanted(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(decimal) || type == typeof(double) => "a number",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "an ISO 8601 instant",
        _ when type == typeof(Guid) => "a GUID",
        _ => null,
    };

    private static bool Parses(Type type, string value) => type switch
    {
        _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(bool) => bool.TryParse(value, out _),
        _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ when type == typeof(DateTime) => DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ => Guid.TryParse(value, out _),
    };
}
