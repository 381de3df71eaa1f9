using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tollgate.Pages.Tests;

/// <summary>
/// Waits for a page to reach an address and finish loading by asking, not by listening. Playwright .NET's
/// <c>WaitForURLAsync</c> and <c>WaitForLoadStateAsync</c> check the page's state and then subscribe to its events; an
/// event delivered between the two is lost and the wait runs to its timeout (microsoft/playwright-dotnet#3364). CI met
/// it on the console's sign-in redirect: 90 s with the page long loaded.
/// </summary>
internal static class Navigation
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>Arrived at an address matching <paramref name="glob"/>, in Playwright's glob: <c>**</c> any text,
    /// <c>*</c> any text without a slash, everything else literal.</summary>
    public static Task ArrivedAsync(this IPage page, string glob) => page.ArrivedAsync(Glob(glob).IsMatch);

    public static async Task ArrivedAsync(this IPage page, Func<string, bool> address)
    {
        var waited = Stopwatch.StartNew();
        while (!(address(page.Url) && await IsLoadedAsync(page)))
        {
            if (waited.Elapsed > Limit)
            {
                throw new TimeoutException($"After {Limit.TotalSeconds} s the page is at {page.Url}: not the awaited address, or not loaded.");
            }

            await Task.Delay(25);
        }
    }

    // Asked of the document the page now shows; a navigation that replaces it mid-question throws, and is asked again.
    private static async Task<bool> IsLoadedAsync(IPage page)
    {
        try
        {
            return await page.EvaluateAsync<string>("document.readyState") == "complete";
        }
        catch (PlaywrightException)
        {
            return false;
        }
    }

    private static Regex Glob(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] != '*')
            {
                pattern.Append(Regex.Escape(glob[i].ToString()));
            }
            else if (i + 1 < glob.Length && glob[i + 1] == '*')
            {
                pattern.Append(".*");
                i++;
            }
            else
            {
                pattern.Append("[^/]*");
            }
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
