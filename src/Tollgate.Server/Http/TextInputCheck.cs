namespace Tollgate.Server.Http;

/// <summary>
/// Text outside a JSON body (which <see cref="JsonBodyCheck"/> reads) that no store can take is refused before any
/// endpoint reads it, with a 400 naming where: the NUL character in the query (PostgreSQL's text cannot hold it, so a
/// filter with it failed there while SQLite took it), and a posted form that does not decode (ASP.NET Core's form
/// reader throws on a NUL or a broken escape, which every page's form handler would have answered with a 500). A NUL
/// in the path never gets this far: ASP.NET Core's decoder refuses it, and Kestrel answers 400.
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
        if (problem is null && IsForm(request.ContentType) && context.GetEndpoint() is not null)
        {
            try
            {
                // Read once here; the endpoint's own ReadFormAsync answers the same parsed form.
                await request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException unreadable)
            {
                problem = Problems.Validation("form", $"cannot be read: {unreadable.Message}");
            }
        }

        if (problem is null)
        {
            await next(context);
            return;
        }

        await problem.ExecuteAsync(context);
    }

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
