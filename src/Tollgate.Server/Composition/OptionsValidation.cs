using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Server.Clock;
using Tollgate.Server.Email;
using Tollgate.Server.Metrics;
using Tollgate.Server.Observability;
using Tollgate.Server.Web;
using Tollgate.Server.Payments;
using Tollgate.Server.Webhooks;
using Tollgate.Server.Billing;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;
using Tollgate.Server.Llm;

namespace Tollgate.Server.Composition;

/// <summary>
/// Checks every options class bound from configuration when the host starts, so a bad setting stops the server at once
/// with a message naming it, instead of failing the first request that reads it. Binding runs then too, so a value of the
/// wrong type ("yes" for a bool) is refused at start as well.
/// </summary>
public static class OptionsValidation
{
    public static IServiceCollection AddTollgateOptionsValidation(this IServiceCollection services)
    {
        services.AddOptions<TestClockOptions>().ValidateOnStart()
            .Validate(o => string.IsNullOrWhiteSpace(o.Start) || DateTimeOffset.TryParse(o.Start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
                "Tollgate:TestClock:Start must be an ISO 8601 instant, such as 2026-01-31T00:00:00Z");
        services.AddOptions<Http.TollgateOptions>().ValidateOnStart();
        services.AddOptions<LlmOptions>().ValidateOnStart();
        services.AddOptions<BillingOptions>().ValidateOnStart()
            .Validate(o => o.GraceDays >= 0, "Tollgate:Billing:GraceDays must be 0 or more")
            .Validate(o => o.DaysUntilDue >= 0, "Tollgate:Billing:DaysUntilDue must be 0 or more")
            .Validate(o => o.TrialEndWithoutPaymentMethod.ToLowerInvariant() is "activate" or "cancel",
                "Tollgate:Billing:TrialEndWithoutPaymentMethod must be 'activate' or 'cancel'")
            .Validate(o => !string.IsNullOrWhiteSpace(o.InvoicePrefix), "Tollgate:Billing:InvoicePrefix must not be empty");
        services.AddOptions<EntitlementOptions>().ValidateOnStart().Validate(o => o.GraceDays >= 0, "Tollgate:Billing:GraceDays must be 0 or more");
        services.AddOptions<Server.Entitlements.EventOptions>().ValidateOnStart()
            .Validate(o => o.LateDays >= 0, "Tollgate:Events:LateDays must be 0 or more");
        services.AddOptions<MetricsOptions>().ValidateOnStart()
            .Validate(o => o.Currency is { Length: 3 } c && c.All(char.IsAsciiLetter), "Tollgate:Metrics:Currency must be a three-letter ISO 4217 code")
            .Validate(o => o.ChurnRecognition.ToLowerInvariant() is "period_end" or "cancel_request",
                "Tollgate:Metrics:ChurnRecognition must be 'period_end' or 'cancel_request'");
        services.AddOptions<ReportingOptions>().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ReportingOptions>, ReportingOptionsValidator>();
        services.AddOptions<WebhookOptions>().ValidateOnStart()
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Tollgate:Webhooks:PollInterval must be positive")
            .Validate(o => o.Timeout > TimeSpan.Zero, "Tollgate:Webhooks:Timeout must be positive")
            .Validate(o => o.MaxConcurrency >= 1, "Tollgate:Webhooks:MaxConcurrency must be at least 1");
        services.AddOptions<PagesOptions>().ValidateOnStart()
            .Validate(o => o.PublicBaseUrl is null || o.PublicBaseUrl.IsAbsoluteUri, "Tollgate:Pages:PublicBaseUrl must be an absolute URL")
            .Validate(o => o.PortalLinkLifetime > TimeSpan.Zero, "Tollgate:Pages:PortalLinkLifetime must be positive")
            .Validate(o => o.SessionLifetime > TimeSpan.Zero, "Tollgate:Pages:SessionLifetime must be positive")
            // A button must lead somewhere a browser goes: a path on this server or an http(s) page ({plan} and {period} filled in).
            .Validate(o => string.IsNullOrEmpty(o.CtaUrl) || o.CtaUrl.StartsWith('/')
                    || (Uri.TryCreate(o.CtaUrl.Replace("{plan}", "p", StringComparison.Ordinal).Replace("{period}", "monthly", StringComparison.Ordinal),
                        UriKind.Absolute, out var cta) && cta.Scheme is "http" or "https"),
                "Tollgate:Pages:CtaUrl must be an http(s) URL or a path starting with /");
        services.AddOptions<ObservabilityOptions>().ValidateOnStart()
            .Validate(o => o.MetricsNetworks is null || o.MetricsNetworks.All(n => System.Net.IPNetwork.TryParse(n.Trim(), out _)),
                "Tollgate:Observability:MetricsNetworks must be networks in CIDR form, such as 10.0.0.0/8");
        services.AddOptions<OtlpOptions>().ValidateOnStart()
            .Validate(o => string.IsNullOrWhiteSpace(o.Endpoint)
                    || (Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"),
                "Tollgate:Otlp:Endpoint must be an http(s) URL such as http://localhost:4318")
            .Validate(o => o.Protocol.ToLowerInvariant() is "http/protobuf" or "grpc", "Tollgate:Otlp:Protocol must be 'http/protobuf' or 'grpc'")
            .Validate(o => o.ExportIntervalSeconds >= 1, "Tollgate:Otlp:ExportIntervalSeconds must be at least 1");
        services.AddOptions<EmailOptions>().ValidateOnStart()
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Tollgate:Email:PollInterval must be positive")
            .Validate(o => o.MaxAttempts >= 1, "Tollgate:Email:MaxAttempts must be at least 1")
            .Validate(o => o.MaxConcurrency >= 1, "Tollgate:Email:MaxConcurrency must be at least 1")
            .Validate(o => o.Smtp.Port is >= 1 and <= 65535, "Tollgate:Email:Smtp:Port must be from 1 to 65535")
            .Validate(o => o.Smtp.Timeout > TimeSpan.Zero, "Tollgate:Email:Smtp:Timeout must be positive")
            .Validate(o => string.IsNullOrWhiteSpace(o.Smtp.From)
                    || (MimeKit.MailboxAddress.TryParse(o.Smtp.From, out var from) && from.Address.Contains('@', StringComparison.Ordinal)),
                "Tollgate:Email:Smtp:From must be an e-mail address, such as billing@example.com or \"Acme Billing <billing@example.com>\"")
            // Read at every send, so a folder that is not there would only ever fall back to the defaults, unnoticed.
            .Validate(o => string.IsNullOrEmpty(o.TemplatesPath) || Directory.Exists(o.TemplatesPath),
                "Tollgate:Email:TemplatesPath must be a folder that exists")
            .Validate(o => o.Smtp.PinnedThumbprint is not { } pin || (pin.Length == 64 && pin.All(char.IsAsciiHexDigit)),
                "Tollgate:Email:Smtp:CertificateSha256 must be a SHA-256 thumbprint: 64 hex digits, colons allowed");
        services.AddOptions<StripeOptions>().ValidateOnStart()
            .Validate(o => Uri.TryCreate(o.ApiBase, UriKind.Absolute, out _), "Tollgate:Stripe:ApiBase must be an absolute URL")
            .Validate(o => o.InvoiceItemPollInterval > TimeSpan.Zero, "Tollgate:Stripe:InvoiceItemPollInterval must be positive")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.AttemptTimeout <= TimeSpan.FromSeconds(80),
                "Tollgate:Stripe:AttemptTimeout must be positive and at most 00:01:20 (Stripe's own clients wait 80 s)")
            // Stripe.net refuses such a key when a call builds its client, which would be a 500 on every billing call.
            .Validate(o => o.SecretKey is null || !o.SecretKey.Trim().Any(char.IsWhiteSpace), "Tollgate:Stripe:SecretKey must have no spaces inside it");
        services.AddOptions<DatabaseOptions>().ValidateOnStart()
            .Validate(o => o.Provider.Trim().ToLowerInvariant() is "sqlite" or "postgres" or "postgresql" or "npgsql",
                "Tollgate:Database:Provider must be 'sqlite' or 'postgres'")
            .Validate(o => o.SqliteSynchronous.Trim().ToLowerInvariant() is "full" or "normal", "Tollgate:Database:SqliteSynchronous must be 'full' or 'normal'")
            .Validate(o => o.Writers is null or >= 1, "Tollgate:Database:Writers must be at least 1")
            .Validate(o => o.BulkWriters is null or >= 1, "Tollgate:Database:BulkWriters must be at least 1")
            .Validate(o => o.QueueCapacity >= 1, "Tollgate:Database:QueueCapacity must be at least 1")
            .Validate(o => o.ParsedProvider != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Tollgate:Database:ConnectionString is required for postgres, such as Host=db;Database=tollgate;Username=tollgate");
        // Its messages name the numbers and Npgsql's reason, so it is a validator of its own rather than a fixed sentence.
        services.AddSingleton<IValidateOptions<DatabaseOptions>>(new PoolSizeValidation());
        return services;
    }

    private sealed class PoolSizeValidation : IValidateOptions<DatabaseOptions>
    {
        public ValidateOptionsResult Validate(string? name, DatabaseOptions options) =>
            (options.ConnectionStringError() ?? options.PoolTooSmall()) is { } reason ? ValidateOptionsResult.Fail(reason) : ValidateOptionsResult.Success;
    }
}
