using Microsoft.Playwright;

namespace Tollgate.Pages.Tests;

/// <summary>
/// One headless Chromium for the suite: Debian's package (test.sh installs it through apt), driven by Playwright's
/// .NET client. TOLLGATE_CHROMIUM overrides the path.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string ScreenshotDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../artifacts/screenshots"));

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("TOLLGATE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No Chromium at {path}: run ./test.sh (it installs Debian's chromium) or set TOLLGATE_CHROMIUM.");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
    }

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
        // The page tests share two cores with the other test assemblies that dotnet test runs beside them; under that load
        // one page can take longer than Playwright's 30 s default (seen once on the console's sign-in redirect).
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return context;
    }

    /// <summary>Saves a full-page screenshot as a test artifact (artifacts/screenshots/NAME-desktop.png or -phone.png).</summary>
    public static Task ScreenshotAsync(IPage page, string name, bool phone = false) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}-{(phone ? "phone" : "desktop")}.png"), FullPage = true });
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
