using Tollgate.Server.OpenApi;

// In the root namespace so every endpoint file (Tollgate.Server.*) finds these without another using.
namespace Tollgate.Server;

/// <summary>One-line OpenAPI metadata for endpoints: the errors they answer, and bodies of more than one shape.</summary>
public static class OpenApiMetadata
{
    /// <summary>Documents problem+json answers with these statuses, besides the defaults <see cref="ProblemResponses"/> adds.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>A request body that is one of these types (the endpoint reads it as JSON by hand).</summary>
    public static TBuilder AcceptsOneOf<TBuilder>(this TBuilder builder, params Type[] types)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OneOfBody(null, types));

    /// <summary>A JSON answer with this status that is one of these types.</summary>
    public static TBuilder ProducesOneOf<TBuilder>(this TBuilder builder, int status, params Type[] types)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OneOfBody(status, types));

    /// <summary>The values a query parameter takes (a status filter), for the document; the handler checks them with the same list.</summary>
    public static TBuilder TakesQueryValues<TBuilder>(this TBuilder builder, string name, IEnumerable<string> values)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryValues(name, [.. values]));

    /// <summary>A non-JSON answer, such as text/html.</summary>
    public static TBuilder ProducesText<TBuilder>(this TBuilder builder, string contentType, int status = StatusCodes.Status200OK)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(string), [contentType]));

    /// <summary>A binary answer, such as application/pdf: a Stream is documented as a string of format binary.</summary>
    public static TBuilder ProducesBinary<TBuilder>(this TBuilder builder, string contentType, int status = StatusCodes.Status200OK)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(Stream), [contentType]));
}
