using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Tollgate.Server.Auth;
using Tollgate.Server.Http;
using Tollgate.Core.Time;
using Tollgate.Server.Web.Admin;
using Tollgate.Server.Alerts;
using Tollgate.Server.Clock;
using Tollgate.Server.Email;
using Tollgate.Server.Invoices;
using Tollgate.Server.Llm;
using Tollgate.Server.Metrics;
using Tollgate.Server.Payments;
using Tollgate.Server.Billing;
using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;
using Tollgate.Server.Entitlements;
using Tollgate.Server.Events;
using Tollgate.Server.Exports;
using Tollgate.Server.Experiments;
using Tollgate.Server.Grants;
using Tollgate.Server.Subscriptions;
using Tollgate.Server.Health;
using Tollgate.Server.History;
using Tollgate.Server.Observability;
using Tollgate.Server.Keys;
using Tollgate.Server.Web;
using Tollgate.Server.Web.Portal;
using Tollgate.Server.Web.Pricing;
using Tollgate.Server.Pricing;
using Tollgate.Server.Webhooks;
using Tollgate.Server.Discounts;
using Tollgate.Server.Taxes;
using Tollgate.Storage;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Composition;

/// <summary>Composes the web host: configuration, services, the pipeline and every feature's endpoints.</summary>
public static class TollgateHost
{
    public static WebApplication Build(string[] args)
    {
        // No config reload: its watcher covers the whole content root, and SQLite's WAL under ./data would wake it on
        // every commit (about a tenth of the CPU under load). Settings are read once at start anyway.
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        AddDefaults(builder.Configuration);
        CatalogSeeder.CheckSeedFile(builder.Configuration[$"{TollgateOptions.Section}:Catalog:SeedFile"]);
        if (!HasConfiguredUrls(builder.Configuration))
        {
            builder.WebHost.UseUrls(TollgateOptions.DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = TollgateOptions.MaxBodyBytes + 1;
            k.Limits.MaxRequestLineSize = BodySizeLimit.KestrelLineAndHeaderBytes;
            k.Limits.MaxRequestHeadersTotalSize = BodySizeLimit.KestrelLineAndHeaderBytes;
        });
        AddServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    /// <summary>Defaults at the lowest precedence, so any appsettings.json, environment variable or flag overrides them.</summary>
    public static void AddDefaults(IConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
                // Every outgoing call (webhooks, Stripe) logged its start and end, and a failure's stack trace twice, at
                // Information: about 50 lines for each failed webhook attempt, for 24 h of retries. Tollgate logs the outcome.
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                ["Tollgate:Database:Provider"] = "sqlite",
            },
        });

    public static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TestClockOptions>(configuration.GetSection(TestClockOptions.Section));
        services.AddSingleton<TimeProvider>(sp => TestClock(sp.GetRequiredService<IOptions<TestClockOptions>>().Value));
        services.Configure<TollgateOptions>(configuration.GetSection(TollgateOptions.Section));
        services.Configure<BillingOptions>(configuration.GetSection("Tollgate:Billing"));
        services.Configure<Server.Customers.EntitlementOptions>(configuration.GetSection("Tollgate:Billing"));
        services.Configure<Server.Entitlements.EventOptions>(configuration.GetSection("Tollgate:Events"));
        services.Configure<MetricsOptions>(configuration.GetSection("Tollgate:Metrics"));
        services.Configure<ReportingOptions>(configuration.GetSection("Tollgate:Reporting"));
        services.AddSingleton<ReportingCurrency>();
        services.Configure<LlmOptions>(configuration.GetSection("Tollgate:Llm"));
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.Configure<PagesOptions>(configuration.GetSection(PagesOptions.Section));
        // Pages are UTF-8: text outside Basic Latin (an en dash, a customer's name) is written as itself, not as entities;
        // markup characters are still encoded.
        services.AddSingleton(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All));
        services.AddRazorComponents(); // the pages are Razor components rendered on the server, with no interactivity
        services.AddSingleton<ComponentHtml>();
        services.AddSingleton<Web.Invoices.InvoiceHtml>();
        services.AddSingleton<Invoices.InvoicePdf>();
        services.AddSingleton<PageSigning>();
        services.AddSingleton<PortalData>();
        services.AddSingleton<AdminSession>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<FormThrottle>();
        services.Configure<ObservabilityOptions>(configuration.GetSection(ObservabilityOptions.Section));
        // The binder reads a list only from indexed keys (MetricsNetworks__0): one value, as an environment variable is
        // usually written, was dropped without a word. One value, or several comma-separated, is read here.
        services.PostConfigure<ObservabilityOptions>(o =>
        {
            if (configuration[$"{ObservabilityOptions.Section}:MetricsNetworks"] is { Length: > 0 } written)
            {
                o.MetricsNetworks = written.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
        });
        services.Configure<OtlpOptions>(configuration.GetSection(OtlpOptions.Section));
        services.AddSingleton<TollgateMetrics>();
        services.AddSingleton<DecisionTelemetry>();
        services.AddSingleton<PrometheusExposition>();
        services.AddSingleton<OutboxBacklogs>();
        services.AddSingleton(sp => new BacklogSource("webhook", sp.GetRequiredService<Server.Webhooks.WebhookStore>().BacklogAsync));
        services.AddSingleton(sp => new BacklogSource("email", sp.GetRequiredService<Server.Email.EmailStore>().BacklogAsync));
        services.AddSingleton(sp =>
            new BacklogSource("stripe_invoice_items", sp.GetRequiredService<Server.Payments.StripeInvoiceItemStore>().BacklogAsync));
        services.AddTollgateTelemetry(configuration);
        services.AddSingleton<AdminData>();
        services.AddSingleton(sp => new LlmStatsApi.Services(sp.GetRequiredService<LlmStatsQueries>(), sp.GetRequiredService<RevenueQueries>(),
            sp.GetRequiredService<ModelPriceStore>(), sp.GetRequiredService<Server.Catalog.CatalogCache>(), sp.GetRequiredService<Server.Customers.CustomerStore>(),
            sp.GetRequiredService<Server.Customers.EntitlementContextCache>(), sp.GetRequiredService<IOptions<MetricsOptions>>(), sp.GetRequiredService<ReportingCurrency>(),
            sp.GetRequiredService<TimeProvider>()));
        services.Configure<DatabaseOptions>(configuration.GetSection("Tollgate:Database"));
        services.AddTollgateStorage();
        services.AddCapabilityStores();
        services.AddSingleton<CatalogSeeder>();
        services.AddSingleton<CatalogService>();
        services.AddSingleton<ExperimentPricing>();
        services.AddSingleton<ExperimentPromotion>();
        services.AddHostedService<StartupTasks>();
        services.AddSingleton<UsageMaintenance>();
        services.AddSingleton<DueWork>();
        services.AddHostedService<BillingWorker>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // a redirect could point anywhere, including inside the network
                UseProxy = false, // through a proxy, the address check would see the proxy's address, not the endpoint's
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectCallback = WebhookTargets.ConnectCallback(() => sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateTargets),
            })
            .WithoutTraceContext();
        services.Configure<EmailOptions>(configuration.GetSection(EmailOptions.Section));
        services.AddSingleton<EmailTemplates>();
        services.AddSingleton<EmailComposer>();
        services.AddSingleton<SmtpSender>();
        services.AddHostedService<EmailDispatcher>();
        services.Configure<JsonOptions>(o => JsonConfig.Apply(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddSingleton<IProblemPages, Web.ProblemPages>();
        services.AddExceptionHandler<ErrorHandling>();
        services.AddTollgatePayments(configuration);
        services.AddTransient<Tollgate.Server.CreditNotes.CreditNoteService>(); // over StripeClient, which is transient
        services.AddTollgateAuth();
        services.AddBrowserCors(configuration);
        services.AddTollgateOpenApi();
        services.AddSingleton<ExportWriter>();
        services.AddOptions<Storage.Retention.RetentionOptions>().Bind(configuration.GetSection(Storage.Retention.RetentionOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Storage.Retention.RetentionOptions>, Storage.Retention.RetentionOptionsValidation>();
        services.AddSingleton<PublicTag>();
        services.AddTollgateOptionsValidation();
        services.AddSingleton<Billing.SubscriptionWire>();
        // Last, after the framework's own additions to the chain (ProblemDetails, OpenAPI).
        services.PostConfigure<JsonOptions>(o => JsonConfig.ShareMetadata(o.SerializerOptions));
    }

    private static void UsePipeline(WebApplication app)
    {
        app.Services.GetRequiredService<PrometheusExposition>(); // listening from the start, so no early measurement is lost
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var status = context.HttpContext.Response.StatusCode;
            var request = context.HttpContext.Request;
            // Handlers bound at compile time answer a query or route value that does not parse (?unread=maybe, ?days=x)
            // with a bare 400; it names the field here, as the reflection binder's exception does in ErrorHandling.
            if (status == 400 && BindingProblem.Find(context.HttpContext) is { } unbound)
            {
                await Problems.Validation(unbound.Field, unbound.Problem).ExecuteAsync(context.HttpContext);
                return;
            }

            var pages = context.HttpContext.RequestServices.GetRequiredService<IProblemPages>();
            var page = pages.Serves(context.HttpContext);
            var (error, detail) = status switch
            {
                404 when page => ("not_found", $"There is no page at {request.Path}."),
                404 => ("not_found", $"No endpoint at {request.Method} {request.Path}."),
                405 => ("method_not_allowed", $"{request.Path} does not accept {request.Method}."),
                413 => ("body_too_large", $"The request body is larger than {TollgateOptions.MaxBodyBytes} bytes."),
                415 => ("unsupported_media_type", "Send the body as application/json."),
                _ => ("http_" + status, $"{request.Method} {request.Path}: {Problems.TitleFor(status)}."),
            };
            // Under the portal, console and pricing pages a wrong link reads as a page, as their failures do.
            var problem = Problems.Create(status, error, detail);
            await (page ? pages.Page(context.HttpContext, problem) : problem).ExecuteAsync(context.HttpContext);
        });
        app.UseCors(); // before authentication: a preflight carries no token and is answered here
        app.UseMiddleware<BodySizeLimit>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<InputCheck>();
        app.UseTollgateOpenApi();
        app.MapHealth();
        app.MapPrometheusMetrics();
        app.MapPricing();
        app.MapCatalogAdmin();
        app.MapPlanVersions();
        app.MapKeysAdmin();
        app.MapCustomers();
        app.MapCustomerSessions();
        app.MapCustomerEntitlements();
        app.MapSubscriptions();
        app.MapEntitlements();
        app.MapEvents();
        app.MapInvoices();
        Invoices.InvoicePdfApi.MapInvoicePdfs(app);
        Tollgate.Server.CreditNotes.CreditNotesApi.MapCreditNotes(app);
        app.MapSaasStats();
        app.MapLlmUsage();
        app.MapLlmPrices();
        app.MapLlmStats();
        app.MapPayments();
        app.MapAlerts();
        app.MapWebhooksAdmin();
        app.MapExperiments();
        app.MapEmailAdmin();
        app.MapMembers();
        app.MapSeats();
        app.MapOfferLinks();
        app.MapOfferPage();
        app.MapGrants();
        app.MapAssets();
        app.MapPricingPage();
        app.MapPortalSessions();
        app.MapPortalPages();
        app.MapAdminConsole();
        app.MapCustomerDeletion();
        app.MapExports();
        app.MapCoupons();
        app.MapTaxRates();
        app.MapSubscriptionDiscounts();
        app.MapCustomerLists();
        app.MapSubscriptionList();
        app.MapUsageHistory();
        app.MapCallLogs();
        Tollgate.Server.Packs.PacksApi.MapPacks(app);
        if (app.Services.GetRequiredService<IOptions<TestClockOptions>>().Value.Enabled)
        {
            app.MapClock();
        }
    }

    /// <summary>The system clock, or a manual one that only the test clock endpoints move.</summary>
    private static TimeProvider TestClock(TestClockOptions options)
    {
        if (!options.Enabled)
        {
            return TimeProvider.System;
        }

        var start = string.IsNullOrWhiteSpace(options.Start)
            ? TimeProvider.System.GetUtcNow()
            : DateTimeOffset.Parse(options.Start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        return new ManualClock(start, options.Ticking);
    }

    private static bool HasConfiguredUrls(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").Exists();
}
