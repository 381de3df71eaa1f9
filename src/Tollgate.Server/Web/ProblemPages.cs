using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Server.Http;

namespace Tollgate.Server.Web;

/// <summary>
/// The portal, console, pricing page and offer links answer a failure with a message page at the problem's status. A customer in
/// the portal is not told what only the operator can do.
/// </summary>
public sealed class ProblemPages : IProblemPages
{
    private static readonly PathString[] Prefixes = ["/portal", "/admin", "/pricing", "/offer"];

    public bool Serves(HttpContext http) =>
        Array.Exists(Prefixes, p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    public IResult Page(HttpContext http, ProblemHttpResult problem)
    {
        var detail = problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "";
        if (problem.ProblemDetails.Extensions.TryGetValue("error", out var error) && error as string == "amount_out_of_range")
        {
            // The API's remedy names its requests; a page names the choice its reader has, or none for a customer.
            detail = http.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase)
                ? ErrorHandling.AmountOutOfRangeCause
                  + " To end the subscription without billing that usage, cancel it with \"Now, crediting unused time, usage not billed\"."
                : "This would bill more than can be charged: the usage recorded this period is past what an invoice can hold. Please contact us to have it corrected.";
        }

        return PageResults.Message(http, problem.StatusCode, problem.StatusCode >= 500 ? "Something went wrong" : "This could not be done", detail);
    }
}
