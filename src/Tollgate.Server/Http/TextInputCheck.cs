namespace Tollgate.Server.Http;

/// <summary>
/// Text outside a JSON body (which <see cref="JsonBodyCheck"/> reads) that no store can take is refused before any
/// endpoint reads it, with a 400 naming where: the NUL character in the query (PostgreSQL's text cannot hold it, so a
/// filter with it failed there while SQLite took it), and a form posted to a page that does not decode (ASP.NET Core's
/// form reader throws on a NUL, a broken escape, a malformed multipart boundary or a part cut short, which every page's
/// form handler would have answered with a 500). The API takes no forms, so it reads none (<see cref="ContentTypeCheck"/>
/// refuses them where JSON is read). A NUL in the path never gets this far: ASP.NET Core's decoder refuses it, and
/// Kestrel answers 400.
/// </summary>
public sealed class TextInputCheck(RequestDelegate next)
{
    public const string HoldsNul = "holds the NUL character (U+0000), which no text field takes";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        // A NUL reaches a URL only as %00, so the query is parsed here only when its text holds that (most have no query).
        var problem = request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true && NulIn(request.Query) is { } name
            ? Problems.Validation(name, HoldsNul) : null;
        if (problem is null && IsForm(request.ContentType) && HttpMethods.IsPost(request.Method) && !request.Path.StartsWithSegments("/v1")
            && context.GetEndpoint() is not null)
        {
            try
            {
                // Read once here; the endpoint's own ReadFormAsync answers the same parsed form.
                await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception unreadable) when (Unreadable(unreadable) is { } why)
            {
                problem = Problems.Validation("form", $"cannot be read: {why}");
            }
        }

        if (problem is null)
        {
            await next(context);
            return;
        }

        await problem.ExecuteAsync(context);
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
