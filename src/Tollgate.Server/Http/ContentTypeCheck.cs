using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Server.Http;

/// <summary>
/// A body's content type is checked once, before anything reads the body, so every route answers a wrong one alike: a
/// JSON body must be UTF-8 (RFC 8259 allows no other charset, and an unknown one made the framework throw), and a route
/// that takes JSON refuses any other body (a multipart one among them, whose broken boundary made the form reader
/// throw) with the same 415. A body on a route that takes none is left alone, unread.
/// </summary>
public sealed class ContentTypeCheck(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint() is not { } endpoint || !HasBody(request))
        {
            return next(context);
        }

        if (request.HasJsonContentType() && MediaTypeHeaderValue.TryParse(request.ContentType, out var media))
        {
            var charset = media.Charset;
            if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            {
                var named = HeaderUtilities.RemoveQuotes(charset).ToString();
                if (!named.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !named.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                {
                    return Problems.UnsupportedMediaType($"Send the body as JSON in UTF-8; the charset '{named}' is not accepted.").ExecuteAsync(context);
                }

                // UTF-8 spelt another way ("UTF-8" quoted, utf8), which the framework's reader would look up and fail to find.
                request.ContentType = $"{media.MediaType}; charset=utf-8";
            }

            return next(context);
        }

        return TakesJson(endpoint) ? Problems.UnsupportedMediaType().ExecuteAsync(context) : next(context);
    }

    /// <summary>Whether the route reads a JSON body: it binds one, or declares one (Accepts) and reads it by hand.</summary>
    public static bool TakesJson(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)) == true;

    /// <summary>A body is sent when its length is declared above zero or it is chunked (then its length is unknown).</summary>
    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
}
