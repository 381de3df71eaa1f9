using Microsoft.Playwright;

namespace Tollgate.Pages.Tests;

/// <summary>
/// One headless Chromium for the suite: Debian's chromium-headless-shell (test.sh installs it through apt), driven by
/// Playwright's .NET client. TOLLGATE_CHROMIUM overrides the path. The shell, not the full browser in its headless mode:
/// the same Blink, without a window's browser UI, and it cut the suite's CPU from 479 s to about 200 s (docs/testing.md). Each test class is a collection of its own, so classes run in
/// parallel (see Parallelism.cs); each holds this fixture, and every fixture shares the one browser, in which each
/// test opens its own contexts (own cookies, own pages).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string ScreenshotDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../artifacts/screenshots"));

    public IBrowser Browser => SharedBrowser.Browser;

    public Task InitializeAsync() => SharedBrowser.AcquireAsync();

    public Task DisposeAsync() => SharedBrowser.ReleaseAsync();

    /// <summary>A fresh browser context (own cookies) at desktop width, or a phone's when <paramref name="phone"/>.</summary>
    public async Task<IBrowserContext> ContextAsync(Uri baseAddress, bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            DeviceScaleFactor = 1,
            IsMobile = phone,
            HasTouch = phone,
        });
        // The page tests share two cores with each other and with the other test assemblies that dotnet test runs beside them;
        // under that load one page can take longer than Playwright's 30 s default (seen once on the console's sign-in redirect).
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return context;
    }

    /// <summary>
    /// Whether <see cref="ScreenshotAsync"/> saves anything: not when TOLLGATE_SCREENSHOTS is 0, which test.sh sets unless
    /// asked otherwise, since the full-page captures were 13 % of this project's CPU (docs/testing.md) and a whole run
    /// checks, it does not look.
    /// </summary>
    public static bool SavesScreenshots => Environment.GetEnvironmentVariable("TOLLGATE_SCREENSHOTS") != "0";

    /// <summary>Saves a full-page screenshot as a test artifact (artifacts/screenshots/NAME-desktop.png or -phone.png).</summary>
    public static Task ScreenshotAsync(IPage page, string name, bool phone = false) => !SavesScreenshots ? Task.CompletedTask :
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}-{(phone ? "phone" : "desktop")}.png"), FullPage = true });

    /// <summary>
    /// The browser every class's fixture shares, started by the first that needs it and closed by the last done with it.
    /// Static because xunit 2 has no fixture for the whole assembly; the gate keeps the start and the close to one at a time.
    /// </summary>
    private static class SharedBrowser
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);
        private static IPlaywright? _playwright;
        private static IBrowser? _browser;
        private static StripeHostedPages? _stripe;
        private static int _holders;

        public static IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is started by the fixture's InitializeAsync.");

        public static async Task AcquireAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (_holders == 0)
                {
                    var path = Environment.GetEnvironmentVariable("TOLLGATE_CHROMIUM") is { Length: > 0 } configured
                        ? configured
                        : "/usr/bin/chromium-headless-shell";
                    if (!File.Exists(path))
                    {
                        throw new InvalidOperationException(
                            $"No Chromium at {path}: run ./test.sh (it installs Debian's chromium-headless-shell) or set TOLLGATE_CHROMIUM.");
                    }

                    if (SavesScreenshots)
                    {
                        Directory.CreateDirectory(ScreenshotDirectory);
                    }

                    _stripe = await StripeHostedPages.StartAsync();
                    _playwright = await Playwright.CreateAsync();
                    _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                    {
                        ExecutablePath = path,
                        Headless = true,
                        Args = ["--no-sandbox", "--disable-dev-shm-usage", .. _stripe.BrowserArguments],
                    });
                }

                _holders++;
            }
            finally
            {
                Gate.Release();
            }
        }

        public static async Task ReleaseAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (--_holders == 0)
                {
                    await _browser!.CloseAsync();
                    _playwright?.Dispose();
                    await _stripe!.DisposeAsync();
                    (_browser, _playwright, _stripe) = (null, null, null);
                }
            }
            finally
            {
                Gate.Release();
            }
        }
    }
}
