namespace Tollgate.Server.Http;

/// <summary>
/// The problem of a failed page request, shown as a page: a browser that posted a portal form reads a sentence, not a
/// problem document. Web implements it, so the error handler stays free of the pages it serves.
/// </summary>
public interface IProblemPages
{
    /// <summary>Whether <paramref name="http"/> asked for a page.</summary>
    bool Serves(HttpContext http);

    /// <summary>A page that tells what <paramref name="problem"/> says, at its status.</summary>
    IResult Page(HttpContext http, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem);
}
