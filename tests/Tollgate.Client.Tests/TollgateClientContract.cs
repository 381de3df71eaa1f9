using System.Net;
using System.Net.Http.Headers;
using Tollgate.Contracts;
using Tollgate.Testing;

namespace Tollgate.Client.Tests;

/// <summary>The SDK against a real Tollgate server listening on a port, once on each store.</summary>
public abstract class TollgateClientContract
{
    protected abstract StoreKind Kind { get; }

    private async Task<(TollgateApp App, TollgateClient Client)> StartAsync()
    {
        var app = await TollgateApp.StartAsync(Kind, ApiSetup.RulesCatalog(), kestrel: true);
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        return (app, new TollgateClient(http));
    }

    [Fact]
    public async Task ConsumeReturnsTheCounterAndAQuotaDenialThrowsWithTheProblemsFields()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest(Email: "c1@example.com"));

        var granted = await client.ConsumeAsync("c1", "capped", 100, "k1");
        var denied = await Assert.ThrowsAsync<QuotaExceededException>(() => client.ConsumeAsync("c1", "capped"));

        Assert.Equal((100L, 0L), (granted.Used, granted.Remaining!.Value));
        Assert.Equal(("capped", "free", 100L, 100L, "/pricing"),
            (denied.Feature, denied.Plan, denied.Limit!.Value, denied.Used!.Value, denied.UpgradeUrl));
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), denied.ResetsAt);
        Assert.Equal(HttpStatusCode.TooManyRequests, denied.Status);
    }

    [Fact]
    public async Task ConsumeAndReserveWithoutAKeySentTwiceByARetryingHandlerCountOnce()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.RulesCatalog(), kestrel: true);
        using var http = new HttpClient(new SendsTwice { InnerHandler = new HttpClientHandler() }) { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var consumed = await client.ConsumeAsync("c1", "capped", 3);
        var reserved = await client.ReserveAsync("c1", "capped", 2);
        var usage = await client.GetUsageAsync("c1");

        Assert.Equal((3L, 2L), (consumed.Used, reserved.Entitlement.Reserved));
        Assert.Equal((3L, 2L), (usage.Features["capped"].Used, usage.Features["capped"].Reserved));
    }

    /// <summary>Sends each request, then sends it again and answers that: a resilience handler's retry after a lost answer.</summary>
    private sealed class SendsTwice : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Post)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            (await base.SendAsync(request, cancellationToken)).Dispose();
            var again = new HttpRequestMessage(request.Method, request.RequestUri);
            foreach (var header in request.Headers)
            {
                again.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            if (body is not null)
            {
                again.Content = new ByteArrayContent(body);
                again.Content.Headers.ContentType = request.Content!.Headers.ContentType;
            }

            return await base.SendAsync(again, cancellationToken);
        }
    }

    [Fact]
    public async Task FeatureOutsideThePlanThrowsFeatureNotInPlan()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var denied = await Assert.ThrowsAsync<FeatureNotInPlanException>(() => client.ConsumeAsync("c1", "gate"));

        Assert.Equal(("gate", "free"), (denied.Feature, denied.Plan));
    }

    [Fact]
    public async Task ASuspendedSubscriptionUnderOnSuspensionDenyThrowsSubscriptionInactiveWithWhereToPay()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.BillingCatalog(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            kestrel: true);
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        var catalog = (await (await app.Admin.GetAsync("/v1/admin/catalog")).ReadAsync()).AsObject();
        catalog["on_suspension"] = "deny";
        (await app.Admin.PutJsonAsync("/v1/admin/catalog", catalog)).EnsureSuccessStatusCode();
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());
        (await app.Admin.PostJsonAsync("/v1/subscriptions", new { customer = "c1", plan = "pro", days_until_due = 10 })).EnsureSuccessStatusCode();

        // Due on the 11th, suspended once the 7 days' grace after it have passed.
        await app.AdvanceToAsync(new DateTimeOffset(2026, 1, 19, 0, 0, 0, TimeSpan.Zero));
        var denied = await Assert.ThrowsAsync<SubscriptionInactiveException>(() => client.ConsumeAsync("c1", "api_calls"));

        Assert.Equal((HttpStatusCode.PaymentRequired, "subscription_inactive", "api_calls"), (denied.Status, denied.Error, denied.Feature));
        Assert.False(string.IsNullOrEmpty(denied.UpgradeUrl));
    }

    [Fact]
    public async Task ReservationCommitsTheActualAmountAndTrackedEventsCountOnce()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var reservation = await client.ReserveAsync("c1", "capped", 20, TimeSpan.FromMinutes(1));
        await reservation.CommitAsync(12);
        var events = new[] { new UsageEvent("e1", "c1", "tracked", 3, app.Clock.GetUtcNow()) };
        await client.TrackAsync(events);
        var again = await client.TrackAsync(events);
        var usage = await client.GetUsageAsync("c1");

        Assert.Equal(12, usage.Features["capped"].Used);
        Assert.Equal(3, usage.Features["tracked"].Used);
        Assert.Equal(["e1"], again.Duplicates);
    }

    [Fact]
    public async Task PricingReadsComeBackTyped()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        var plans = await client.GetPlansAsync();
        var comparison = await client.GetComparisonAsync();

        Assert.Equal(["free", "pro"], plans.Select(p => p.Code));
        Assert.Equal("$20.00", plans[1].Prices[0].DisplayPrice);
        Assert.Equal(6, comparison.Rows.Count);
    }

    [Fact]
    public async Task OnePlanByCodeAndTheFeatureListComeBackTyped()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        var pro = await client.GetPlanAsync("pro");
        var features = await client.GetFeaturesAsync();

        Assert.Equal(("pro", "Pro", 2), (pro.Code, pro.Name, pro.SortOrder));
        Assert.Equal(["$20.00", "$200.00"], pro.Prices.Select(p => p.DisplayPrice));
        Assert.Equal(("Included", "1,000"), (pro.Features.Single(f => f.FeatureCode == "gate").DisplayQuota,
            pro.Features.Single(f => f.FeatureCode == "capped").DisplayQuota));
        Assert.Equal(["capped", "soft", "rolling", "gate", "seats", "tracked"], features.Select(f => f.Code));
        Assert.Equal(new PricingFeature("capped", "Capped", "", "calls", "metered"), features[0]);
    }

    [Fact]
    public async Task UnknownPlanThrowsTollgateNotFoundWith404NamingThePlan()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        var error = await Assert.ThrowsAsync<TollgateNotFoundException>(() => client.GetPlanAsync("platinum"));

        Assert.Equal((HttpStatusCode.NotFound, "not_found", "No plan 'platinum'."), (error.Status, error.Error, error.Detail));
        Assert.Equal("plan", error.Resource);
    }

    [Fact]
    public async Task OtherErrorsThrowTollgateExceptionWithTheErrorCode()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;

        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        var error = await Assert.ThrowsAsync<TollgateException>(() => client.ConsumeAsync("c1", "capped", amount: 0));

        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (error.Status, error.Error));
        Assert.NotNull(error.Problem["errors"]!["amount"]);
    }

    [Fact]
    public async Task AlertsComeBackTypedAndCanBeMarkedRead()
    {
        await using var app = await TollgateApp.StartAsync(Kind, ApiSetup.AlertsCatalog(),
            new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.Zero), kestrel: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TollgateApp.AdminKey);
        var client = new TollgateClient(http);
        await client.UpsertCustomerAsync("c1", new UpsertCustomerRequest());

        await client.ConsumeAsync("c1", "cv_generate", 8);
        await client.ConsumeAsync("c1", "cv_generate", 1);
        var alerts = await client.GetAlertsAsync("c1");
        await client.MarkAlertReadAsync(alerts.Data[0].Id);
        var unread = await client.GetAlertsAsync("c1", unreadOnly: true);

        Assert.Equal([90, 80], alerts.Data.Select(a => a.Threshold));
        Assert.Equal(("warning", "You have used 9 of 10 CVs this month."), (alerts.Data[0].Severity, alerts.Data[0].Message));
        Assert.Equal([80], unread.Data.Select(a => a.Threshold));
    }
}

public sealed class SqliteTollgateClientTests : TollgateClientContract
{
    protected override StoreKind Kind => StoreKind.Sqlite;
}

public sealed class PostgresTollgateClientTests : TollgateClientContract
{
    protected override StoreKind Kind => StoreKind.Postgres;
}
