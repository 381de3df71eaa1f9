using Tollgate.Core;

namespace Tollgate.Server.Experiments;

/// <summary>The pricing page's first-party visitor id, so a returning visitor keeps their experiment variant.</summary>
public static class VisitorCookie
{
    public const string Name = "tg_visitor";

    /// <summary>The visitor id from the cookie, or a new one set in a cookie that lasts a year.</summary>
    public static string Ensure(HttpContext http, TimeProvider time)
    {
        if (http.Request.Cookies[Name] is { } existing && Http.Validate.Id(existing) is null)
        {
            return existing;
        }

        var visitor = Ids.New("vis", time);
        http.Response.Cookies.Append(Name, visitor, new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Lax, Path = "/", MaxAge = TimeSpan.FromDays(365),
        });
        return visitor;
    }
}
