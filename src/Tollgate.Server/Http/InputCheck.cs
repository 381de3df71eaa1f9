using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Server.Http;

// The two checks every request's input passes before an endpoint reads it: its size, before authentication, so an anonymous
// body too large is refused unread; then its shape, once authenticated.

/// <summary>
/// Refuses bodies over the limit with 413, whether the length is declared or streamed, and a path and query or headers
/// over theirs with 414 or 431 naming the longest part; done here rather than only in Kestrel so every host (and the
/// in-memory test server) enforces the same rule, and so the answer is a problem, where Kestrel's own is an empty body.
/// </summary>
public sealed class BodySizeLimit(RequestDelegate next)
{
    /// <summary>The most a request's path and query may hold, in bytes as sent (Kestrel's default request line is 8 KiB).</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>The most a request's headers may hold together, names and values (Kestrel's default is 32 KiB).</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>
    /// Kestrel's own limits, past which it answers with an empty body before any middleware runs; they sit above
    /// <see cref="MaxTargetBytes"/> and <see cref="MaxHeaderBytes"/> so that a request up to these gets a problem naming its part.
    /// </summary>
    public const int KestrelLineAndHeaderBytes = 64 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        if ((TargetProblem(context) ?? HeaderProblem(context.Request)) is { } problem)
        {
            return problem.ExecuteAsync(context);
        }

        // A route may allow more (the LLM price import) through RequestSizeLimit metadata; Kestrel is told too.
        var max = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? TollgateOptions.MaxBodyBytes;
        if (max != TollgateOptions.MaxBodyBytes && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel)
        {
            kestrel.MaxRequestBodySize = max + 1;
        }

        if (context.Request.ContentLength > max)
        {
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Request.ContentLength is null && context.Request.Body.CanRead)
        {
            context.Request.Body = new LimitedStream(context.Request.Body, max);
        }

        return next(context);
    }

    private static IResult? TargetProblem(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw.Length
            : (request.PathBase.Value?.Length ?? 0) + (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0);
        if (target <= MaxTargetBytes)
        {
            return null;
        }

        // The query's longest parameter is named when the query is most of it; otherwise the path is.
        var query = request.QueryString.Value?.Length ?? 0;
        var field = query * 2 > target && request.Query.MaxBy(q => q.Key.Length + q.Value.Sum(v => v?.Length ?? 0)) is { Key: { Length: > 0 } key }
            ? key : "path";
        return TooLarge(StatusCodes.Status414UriTooLong, "uri_too_long",
            $"The request's path and query are {target} bytes; at most {MaxTargetBytes} are taken. Send long input in a JSON body.",
            field, $"makes the request's path and query longer than {MaxTargetBytes} bytes");
    }

    private static IResult? HeaderProblem(HttpRequest request)
    {
        var total = 0;
        foreach (var (name, values) in request.Headers)
        {
            // A loop over StringValues, not LINQ's Sum: this runs on every request and should allocate nothing.
            total += name.Length;
            foreach (var value in values)
            {
                total += value?.Length ?? 0;
            }
        }

        if (total <= MaxHeaderBytes)
        {
            return null;
        }

        var largest = request.Headers.MaxBy(h => h.Value.Sum(v => v?.Length ?? 0)).Key;
        return TooLarge(StatusCodes.Status431RequestHeaderFieldsTooLarge, "headers_too_large",
            $"The request's headers are {total} bytes; at most {MaxHeaderBytes} are taken.",
            largest, $"makes the request's headers longer than {MaxHeaderBytes} bytes");
    }

    // A size refusal names the part that made it, in `errors`, as a validation problem names its fields.
    private static IResult TooLarge(int status, string error, string detail, string field, string message) =>
        Problems.Create(status, error, detail, new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string> { [field] = message } });

    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int n)
        {
            _read += n;
            return _read > limit ? throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge) : n;
        }
    }
}

/// <summary>
/// Refuses, before any endpoint reads it, input that no endpoint could take, so every route answers it alike; once
/// authenticated, in one pass and this order:
/// <list type="number">
/// <item>the content type: a JSON body must be UTF-8 (RFC 8259 allows no other charset, and an unknown one made the
/// framework throw), and a route that takes JSON refuses any other body (a multipart one among them, whose broken
/// boundary made the form reader throw) with a 415. A body on a route that takes none is left alone, unread;</item>
/// <item>the query: the NUL character (%00; PostgreSQL's text cannot hold it, so a filter with it failed there while
/// SQLite took it) is a 400 naming the parameter, on every path;</item>
/// <item>a query parameter an API endpoint reads as a number or a flag, given with no value (<c>days=</c>): a 400 naming
/// it, where the framework bound it as absent and answered the default, as if the caller had asked for that. Pages are
/// left alone: a filter form submits its empty fields;</item>
/// <item>a form posted to a page: one that does not decode is a 400 (a message page), where ASP.NET Core's form reader threw on a NUL, a
/// broken escape, a malformed multipart boundary or a part cut short (a 500 from every page's form handler). The API
/// takes no forms, so it reads none;</item>
/// <item>a JSON body, read once (<see cref="JsonBodyCheck"/>): malformed JSON, a property named twice or a NUL is a 400
/// naming where; the checked bytes then go on unchanged, since signatures cover them.</item>
/// </list>
/// A NUL in the path never gets this far: ASP.NET Core's decoder refuses it, and Kestrel answers 400.
/// </summary>
public sealed class InputCheck(RequestDelegate next)
{
    public const string HoldsNul = "holds the NUL character (U+0000), which no text field takes";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = context.GetEndpoint();
        // A NUL reaches a URL only as %00, so the query is parsed here only when its text holds that (most have no query).
        var problem = DotSegmentProblem(context) ?? (endpoint is null ? null : ContentTypeProblem(request, endpoint))
            ?? (request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true && NulIn(request.Query) is { } name
                ? Problems.Validation(name, HoldsNul) : null)
            ?? (endpoint is not null && request.QueryString.HasValue && request.Path.StartsWithSegments("/v1") && QueryProblem(request.Query, endpoint) is { } query
                ? Problems.Validation(query.Name, query.Problem) : null);
        if (problem is null && endpoint is not null)
        {
            problem = await FormProblemAsync(context) ?? await JsonProblemAsync(context);
        }

        if (problem is null)
        {
            await next(context);
            return;
        }

        // A page's form (a portal cancel's comment with a NUL) is answered with a message page, as the page's own
        // refusals are; it was a problem document in the browser.
        var pages = context.RequestServices.GetService<IProblemPages>();
        await (problem is ProblemHttpResult refused && pages?.Serves(context) == true ? pages.Page(context, refused) : problem).ExecuteAsync(context);
    }

    /// <summary>
    /// Kestrel resolves "." and ".." segments (also spelled %2E) before routing, so DELETE
    /// <c>/v1/customers/x/members/..</c> reached DELETE <c>/v1/customers/{id}</c> and erased the customer: a path that names
    /// a segment by dots is refused as the caller wrote it, never resolved into another route.
    /// </summary>
    private static IResult? DotSegmentProblem(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is null || raw.IndexOf('.') < 0 && raw.IndexOf('%') < 0)
        {
            return null;
        }

        var query = raw.IndexOf('?');
        foreach (var segment in (query < 0 ? raw : raw[..query]).Split('/'))
        {
            if (segment.Length is > 0 and <= 6 && Uri.UnescapeDataString(segment) is "." or "..")
            {
                return Problems.Validation("path", $"has a '{segment}' segment; name every segment in full");
            }
        }

        return null;
    }

    private static IResult? ContentTypeProblem(HttpRequest request, Endpoint endpoint)
    {
        if (!HasBody(request))
        {
            return null;
        }

        if (!request.HasJsonContentType() || !MediaTypeHeaderValue.TryParse(request.ContentType, out var media))
        {
            return TakesJson(endpoint) ? Problems.UnsupportedMediaType() : null;
        }

        var charset = media.Charset;
        if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            var named = HeaderUtilities.RemoveQuotes(charset).ToString();
            if (!named.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !named.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                return Problems.UnsupportedMediaType($"Send the body as JSON in UTF-8; the charset '{named}' is not accepted.");
            }

            // UTF-8 spelt another way ("UTF-8" quoted, utf8), which the framework's reader would look up and fail to find.
            request.ContentType = $"{media.MediaType}; charset=utf-8";
        }

        return null;
    }

    /// <summary>Whether the route reads a JSON body: it binds one, or declares one (Accepts) and reads it by hand.</summary>
    private static bool TakesJson(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)) == true;

    /// <summary>A body is sent when its length is declared above zero or it is chunked (then its length is unknown).</summary>
    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static async Task<IResult?> FormProblemAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsForm(request.ContentType) || !HttpMethods.IsPost(request.Method) || request.Path.StartsWithSegments("/v1"))
        {
            return null;
        }

        try
        {
            // Read once here; the endpoint's own ReadFormAsync answers the same parsed form.
            await request.ReadFormAsync(context.RequestAborted);
            return null;
        }
        catch (Exception unreadable) when (Unreadable(unreadable) is { } why)
        {
            return Problems.Validation("form", $"cannot be read: {why}");
        }
    }

    private static async Task<IResult?> JsonProblemAsync(HttpContext context)
    {
        var request = context.Request;
        // An encoded body (the gzipped price import) is JSON only once decoded; the endpoint that accepts it checks it.
        if (request.ContentLength == 0 || !request.HasJsonContentType()
            || request.Headers.ContentEncoding.Any(e => !string.Equals(e, "identity", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var body = await JsonBodyCheck.ReadAsync(request, context.RequestAborted);
        if (body.Count > 0 && JsonBodyCheck.Problem(body) is { } problem)
        {
            return problem.ToResult();
        }

        request.Body = new MemoryStream(body.Array!, body.Offset, body.Count, writable: false);
        return null;
    }

    /// <summary>
    /// What the form reader throws on a form that does not decode: bad data, a content type it cannot read (a malformed
    /// boundary), or a multipart body that ends inside a part. A body cut short or too large (BadHttpRequestException)
    /// goes on to the error handler, which answers its own status.
    /// </summary>
    private static string? Unreadable(Exception e) => e switch
    {
        InvalidDataException bad => bad.Message,
        InvalidOperationException => "its content type's multipart boundary is malformed",
        BadHttpRequestException => null,
        IOException => "the multipart body ends inside a part",
        _ => null,
    };

    // The media type's own start, compared as text: HasFormContentType parses the header on every request, JSON ones too.
    private static bool IsForm(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The first query parameter given twice (no /v1 parameter takes a list, and the binder joined or refused the values
    /// unpredictably: ?customer=a&amp;customer=b filtered on "a,b"), or given empty where the endpoint binds it: a number
    /// read `days=` as the 30-day default, and text as absent, so `customer=` listed every customer's invoices (Stripe
    /// likewise refuses an empty string for a parameter that cannot be unset); or null.
    /// </summary>
    private static (string Name, string Problem)? QueryProblem(IQueryCollection query, Endpoint endpoint)
    {
        foreach (var (name, values) in query)
        {
            if (values.Count > 1)
            {
                return (name, "is given more than once; give it once");
            }

            if (values.Count == 0 || values.Any(v => !string.IsNullOrEmpty(v)))
            {
                continue;
            }

            foreach (var parameter in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
            {
                // Bound by the name its [FromQuery] gives (bill_usage), else by its own; read only when a parameter came empty.
                var bound = parameter.ParameterInfo.GetCustomAttributes(true).OfType<Microsoft.AspNetCore.Http.Metadata.IFromQueryMetadata>()
                    .FirstOrDefault()?.Name ?? parameter.Name;
                if (string.Equals(bound, name, StringComparison.OrdinalIgnoreCase))
                {
                    return (name, "is given with no value; give a value or leave the parameter out");
                }
            }
        }

        return null;
    }

    private static string? NulIn(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (name.Contains('\0', StringComparison.Ordinal))
            {
                return "query";
            }

            foreach (var value in values)
            {
                if (value?.Contains('\0', StringComparison.Ordinal) == true)
                {
                    return name;
                }
            }
        }

        return null;
    }
}
