using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Client.AspNetCore;

/// <summary>How an app reaches Tollgate and who its caller is.</summary>
public sealed class TollgateOptions
{
    /// <summary>The Tollgate server, such as http://localhost:5080/.</summary>
    public Uri BaseAddress { get; set; } = new("http://localhost:5080/");

    /// <summary>A secret key (tg_sk_…).</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// Finds the Tollgate customer for the current request; by default the authenticated user's "sub" or
    /// name-identifier claim. Return null for an anonymous caller, who is answered 401.
    /// </summary>
    public Func<HttpContext, string?> CustomerResolver { get; set; } = context =>
        context.User.FindFirst("sub")?.Value ?? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value;

    /// <summary>How long a hold taken before a handler lasts if the app dies before settling it.</summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>When Tollgate cannot be reached: false answers 503 (fail closed), true lets the request through uncounted.</summary>
    public bool FailOpen { get; set; }
}
