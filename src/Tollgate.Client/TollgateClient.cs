using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.Contracts;

namespace Tollgate.Client;

/// <summary>
/// The typed client for Tollgate's API. Register it with <c>services.AddTollgate(...)</c>, which retries as
/// <see cref="TollgateRetry"/> says, or make one with <see cref="Create"/>. Constructed over your own
/// <see cref="HttpClient"/> (BaseAddress the server, Authorization a secret key), it sends each call once: no retries
/// unless that client's handlers retry (<see cref="TollgateRetry.CreateHandler"/> gives the SDK's).
/// </summary>
public sealed class TollgateClient(HttpClient http)
{
    /// <summary>
    /// A client for <paramref name="baseAddress"/> with <paramref name="apiKey"/> that retries as <see cref="TollgateRetry"/>
    /// says, <paramref name="maxRetries"/> times (0 for none). Keep one per process: it owns its connection pool.
    /// </summary>
    public static TollgateClient Create(Uri baseAddress, string apiKey, int maxRetries = TollgateRetry.DefaultMaxRetries)
    {
        var http = new HttpClient(TollgateRetry.CreateHandler(maxRetries)) { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);
        return new TollgateClient(http);
    }

    /// <summary>The wire format: snake_case; unknown fields are ignored so newer servers stay compatible.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The underlying client.</summary>
    public HttpClient Http => http;

    /// <summary>Customers by resource, as in the Python and TypeScript SDKs: <c>Customers.UpsertAsync</c>, <c>Customers.GetAsync</c>.</summary>
    public CustomersResource Customers => new(this);

    /// <summary>Subscriptions by resource: <c>CreateAsync</c>, <c>ChangeAsync</c>, <c>PreviewAsync</c>, <c>CancelAsync</c>.</summary>
    public SubscriptionsResource Subscriptions => new(this);

    /// <summary>Invoices by resource: <c>ListAsync</c>, <c>GetAsync</c>.</summary>
    public InvoicesResource Invoices => new(this);

    /// <summary>Credit notes: <c>CreateAsync</c>, <c>ListAsync</c>, <c>GetAsync</c>.</summary>
    public CreditNotesResource CreditNotes => new(this);

    /// <summary>Usage counters at an instant, usage history, and daily totals across customers (admin key).</summary>
    public UsageResource Usage => new(this);

    /// <summary>The recorded usage events: <c>ListAsync</c>, <c>ListAllAsync</c>.</summary>
    public EventsResource Events => new(this);

    /// <summary>The logged LLM calls: <c>ListCallsAsync</c>, <c>ListAllCallsAsync</c>.</summary>
    public LlmResource Llm => new(this);

    /// <summary>Coupons (admin key).</summary>
    public CouponsResource Coupons => new(this);

    /// <summary>Promotion codes (admin key).</summary>
    public PromotionCodesResource PromotionCodes => new(this);

    /// <summary>Tax rates (admin key).</summary>
    public TaxRatesResource TaxRates => new(this);

    /// <summary>Reports in the reporting currency (admin key).</summary>
    public StatsResource Stats => new(this);

    /// <summary>Credit grants of a customer.</summary>
    public GrantsResource Grants => new(this);

    /// <summary>The catalog's credit packs, and selling one to a customer.</summary>
    public PacksResource Packs => new(this);

    /// <summary>Members of an organisation (a customer).</summary>
    public MembersResource Members => new(this);

    /// <summary>Signed checkout links for a plan (admin key).</summary>
    public OfferLinksResource OfferLinks => new(this);

    /// <summary>Price experiments (admin key).</summary>
    public ExperimentsResource Experiments => new(this);

    /// <summary>Asks whether the customer may use <paramref name="amount"/> units now, counting nothing.</summary>
    public Task<EntitlementResponse> CheckAsync(string customer, string feature, long amount = 1, CancellationToken cancellationToken = default) =>
        SendAsync<EntitlementResponse>(HttpMethod.Post, "v1/entitlements/check", new CheckRequest(customer, feature, amount), cancellationToken);

    /// <summary>
    /// Uses units atomically. Throws <see cref="QuotaExceededException"/> past a hard cap, <see cref="RateLimitedException"/>
    /// past a rate limit and <see cref="FeatureNotInPlanException"/> when the plan lacks the feature; a retry with the same
    /// key counts once.
    /// </summary>
    public Task<EntitlementResponse> ConsumeAsync(
        string customer, string feature, long amount = 1, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        ConsumeAsync(new ConsumeRequest(customer, feature, amount, idempotencyKey), cancellationToken);

    /// <summary>
    /// Uses units atomically, as the request says: with <see cref="ConsumeRequest.Metadata"/> the consume is also kept as a
    /// usage record that <c>Events.ListAsync</c> shows. Without an idempotency key one is made, so a retry counts once.
    /// </summary>
    public Task<EntitlementResponse> ConsumeAsync(ConsumeRequest request, CancellationToken cancellationToken = default)
    {
        var key = request.IdempotencyKey ?? NewIdempotencyKey();
        return SendAsync<EntitlementResponse>(HttpMethod.Post, "v1/entitlements/consume", request with { IdempotencyKey = key }, key, cancellationToken);
    }

    /// <summary>Holds units before work whose size is known after it; commit or release the returned reservation.</summary>
    public async Task<Reservation> ReserveAsync(
        string customer, string feature, long amount = 1, TimeSpan? ttl = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var seconds = (int)Math.Ceiling((ttl ?? TimeSpan.FromMinutes(5)).TotalSeconds);
        return await ReserveAsync(new ReserveRequest(customer, feature, amount, seconds, idempotencyKey), cancellationToken);
    }

    /// <summary>Holds units as the request says; its <see cref="ReserveRequest.Metadata"/> goes on the usage record the commit writes.</summary>
    public Task<Reservation> ReserveAsync(ReserveRequest request, CancellationToken cancellationToken = default) =>
        ReserveAsync(request, failFast: false, cancellationToken);

    /// <summary>With <paramref name="failFast"/> (a gate's), no answer is retried or waited out (a 5xx, a gateway's 429); a lost one is.</summary>
    internal async Task<Reservation> ReserveAsync(ReserveRequest request, bool failFast, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey ?? NewIdempotencyKey();
        return new(this, await SendAsync<ReservationResponse>(HttpMethod.Post, "v1/entitlements/reserve", request with { IdempotencyKey = key }, key,
            cancellationToken, failFast));
    }

    /// <summary>
    /// A key for a consume or reserve sent without one, as the Python and TypeScript SDKs make: a retry of the same
    /// request then counts once. It goes in the body and in the Idempotency-Key header (the server checks they agree), where
    /// the retry rules look before retrying a 503 commit_outcome_unknown.
    /// </summary>
    /// <summary>
    /// An id as one path segment, escaped. "." and ".." are refused: a URL resolves them away before it is sent (escaping
    /// does not stop that), so a member "..", deleted, was a DELETE of its organisation.
    /// </summary>
    internal static string Segment(string value) =>
        // An empty id would name the collection instead (PUT v1/customers/ answers 405).
        value is "" or "." or ".." ? throw new ArgumentException($"'{value}' cannot be an id in a URL path.", nameof(value)) : Uri.EscapeDataString(value);

    internal static string NewIdempotencyKey() => $"idem_{Guid.NewGuid():N}";

    /// <summary>Settles a reservation to the units actually used.</summary>
    public Task<EntitlementResponse> CommitAsync(string reservationId, long amount, CancellationToken cancellationToken = default) =>
        SendAsync<EntitlementResponse>(HttpMethod.Post, $"v1/reservations/{TollgateClient.Segment(reservationId)}/commit",
            new CommitReservationRequest(amount), cancellationToken);

    /// <summary>Gives a reservation's units back.</summary>
    public Task<EntitlementResponse> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default) =>
        SendAsync<EntitlementResponse>(HttpMethod.Post, $"v1/reservations/{TollgateClient.Segment(reservationId)}/release", null, cancellationToken);

    /// <summary>Records after-the-fact usage (at most 1000 events a call); never denied, deduplicated by event id.</summary>
    public Task<TrackResponse> TrackAsync(IEnumerable<UsageEvent> events, CancellationToken cancellationToken = default) =>
        SendAsync<TrackResponse>(HttpMethod.Post, "v1/events", new UsageEventBatch([.. events]), cancellationToken);

    /// <summary>Logs model calls (at most 1000 a request); each is priced at the price in effect at its own timestamp.</summary>
    public Task<LlmBatchResponse> LogLlmUsageAsync(IEnumerable<LlmCallRequest> calls, CancellationToken cancellationToken = default) =>
        SendAsync<LlmBatchResponse>(HttpMethod.Post, "v1/llm/usage", new LlmBatchRequest([.. calls]), cancellationToken);

    /// <summary>One attempt, past the retry rules: the capture's sender retries whole batches itself, and splits one too big.</summary>
    internal async Task<LlmBatchResponse> LogLlmUsageOnceAsync(IReadOnlyList<LlmCallRequest> calls, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(HttpMethod.Post, "v1/llm/usage", new LlmBatchRequest([.. calls]), cancellationToken, sendOnce: true);
        return (await response.Content.ReadFromJsonAsync<LlmBatchResponse>(Json, cancellationToken))!;
    }

    /// <summary>Holds an estimate of a model call's cost against the customer's LLM budget; log the call with the returned reservation id.</summary>
    public Task<BudgetResponse> ReserveLlmBudgetAsync(string customer, decimal estimateUsd, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        SendAsync<BudgetResponse>(HttpMethod.Post, "v1/llm/budget/reserve",
            new BudgetReserveRequest(customer, estimateUsd, (int)Math.Ceiling((ttl ?? TimeSpan.FromMinutes(5)).TotalSeconds)), cancellationToken);

    /// <summary>The customer's LLM budget this period, with what their <c>$llm_budget</c> credit grants have left.</summary>
    public Task<BudgetResponse> GetLlmBudgetAsync(string customer, CancellationToken cancellationToken = default) =>
        SendAsync<BudgetResponse>(HttpMethod.Get, $"v1/customers/{TollgateClient.Segment(customer)}/llm-budget", null, cancellationToken);

    /// <summary>The customer's counters in the current period.</summary>
    public Task<UsageResponse> GetUsageAsync(string customer, CancellationToken cancellationToken = default) =>
        SendAsync<UsageResponse>(HttpMethod.Get, $"v1/customers/{TollgateClient.Segment(customer)}/usage", null, cancellationToken);

    /// <summary>Everything the customer's plan gives, feature by feature.</summary>
    public Task<EntitlementsResponse> GetEntitlementsAsync(string customer, CancellationToken cancellationToken = default) =>
        SendAsync<EntitlementsResponse>(HttpMethod.Get, $"v1/customers/{TollgateClient.Segment(customer)}/entitlements", null, cancellationToken);

    /// <summary>One page of the customer's usage alerts, newest first; only those not yet marked read when <paramref name="unreadOnly"/>.</summary>
    public Task<ListResponse<AlertResponse>> GetAlertsAsync(
        string customer, bool unreadOnly = false, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<ListResponse<AlertResponse>>(HttpMethod.Get, TollgatePaging.Path($"v1/customers/{TollgateClient.Segment(customer)}/alerts",
            ("unread", unreadOnly ? true : null), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Marks an alert read.</summary>
    public Task<AlertResponse> MarkAlertReadAsync(string alertId, CancellationToken cancellationToken = default) =>
        SendAsync<AlertResponse>(HttpMethod.Post, $"v1/alerts/{TollgateClient.Segment(alertId)}/read", null, cancellationToken);

    /// <summary>A short-lived signed link into Tollgate's customer portal, to send the signed-in customer to.</summary>
    public Task<PortalLinkResponse> CreatePortalLinkAsync(string customer, string? returnUrl = null, CancellationToken cancellationToken = default) =>
        SendAsync<PortalLinkResponse>(HttpMethod.Post, $"v1/customers/{TollgateClient.Segment(customer)}/portal-sessions", new PortalLinkRequest(returnUrl),
            cancellationToken);

    /// <summary>Creates or updates a customer.</summary>
    public Task<CustomerResponse> UpsertCustomerAsync(string id, UpsertCustomerRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CustomerResponse>(HttpMethod.Put, $"v1/customers/{TollgateClient.Segment(id)}", request, cancellationToken);

    /// <summary>Puts a customer on a plan.</summary>
    public Task<SubscriptionResponse> CreateSubscriptionAsync(CreateSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<SubscriptionResponse>(HttpMethod.Post, "v1/subscriptions", request, cancellationToken);

    /// <summary>Reads a customer; an unknown id throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<CustomerResponse> GetCustomerAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<CustomerResponse>(HttpMethod.Get, $"v1/customers/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>Moves a subscription to another plan or billing period, now or at the period's end, with proration.</summary>
    public Task<SubscriptionChangeResponse> ChangeSubscriptionAsync(
        string subscriptionId, ChangeSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<SubscriptionChangeResponse>(HttpMethod.Post, $"v1/subscriptions/{TollgateClient.Segment(subscriptionId)}/change", request,
            cancellationToken);

    /// <summary>What <see cref="ChangeSubscriptionAsync"/> would do (the proration lines and amount due), changing nothing.</summary>
    public Task<SubscriptionChangeResponse> PreviewSubscriptionChangeAsync(
        string subscriptionId, ChangeSubscriptionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<SubscriptionChangeResponse>(HttpMethod.Post, $"v1/subscriptions/{TollgateClient.Segment(subscriptionId)}/change/preview",
            request, cancellationToken);

    /// <summary>Cancels a subscription: at the period's end by default, or now (optionally crediting the unused time).</summary>
    public Task<SubscriptionChangeResponse> CancelSubscriptionAsync(
        string subscriptionId, CancelSubscriptionRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync<SubscriptionChangeResponse>(HttpMethod.Post, $"v1/subscriptions/{TollgateClient.Segment(subscriptionId)}/cancel",
            request ?? new CancelSubscriptionRequest(), cancellationToken);

    /// <summary>One page of the customer's invoices, newest first, with their credit balance per currency.</summary>
    public Task<InvoiceListResponse> ListInvoicesAsync(string customer, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<InvoiceListResponse>(HttpMethod.Get, TollgatePaging.Path($"v1/customers/{TollgateClient.Segment(customer)}/invoices",
            ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>One invoice with its lines; an unknown id throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<InvoiceResponse> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken = default) =>
        SendAsync<InvoiceResponse>(HttpMethod.Get, $"v1/invoices/{TollgateClient.Segment(invoiceId)}", null, cancellationToken);

    /// <summary>The public plans, in pricing-page order.</summary>
    public Task<IReadOnlyList<PricingPlan>> GetPlansAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<PricingPlan>>(HttpMethod.Get, "v1/pricing/plans", null, cancellationToken);

    /// <summary>The public plans priced in <paramref name="currency"/> (ISO 4217, such as "EUR"), with their prices in it; the others are left out.</summary>
    public Task<IReadOnlyList<PricingPlan>> GetPlansAsync(string currency, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<PricingPlan>>(HttpMethod.Get, $"v1/pricing/plans?currency={TollgateClient.Segment(currency)}", null, cancellationToken);

    /// <summary>
    /// The public plans as <paramref name="visitor"/> sees them: during a price experiment, its variant's prices, with each
    /// plan's <c>Experiment</c> set, and the visitor counted as exposed once. Pass the same id as <c>VisitorId</c> when it subscribes.
    /// </summary>
    public Task<IReadOnlyList<PricingPlan>> GetPlansForVisitorAsync(string visitor, string? currency = null, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<PricingPlan>>(HttpMethod.Get, TollgatePaging.Path("v1/pricing/plans", ("visitor", visitor), ("currency", currency)), null,
            cancellationToken);

    /// <summary>One public plan by its code; an unknown or inactive code throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<PricingPlan> GetPlanAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<PricingPlan>(HttpMethod.Get, $"v1/pricing/plans/{TollgateClient.Segment(code)}", null, cancellationToken);

    /// <summary>
    /// One public plan by its code with its prices in <paramref name="currency"/> (ISO 4217 in either case, such as "EUR");
    /// a currency the plan is not priced in throws a 400 <see cref="TollgateException"/> (validation_failed) naming <c>currency</c>.
    /// </summary>
    public Task<PricingPlan> GetPlanAsync(string code, string currency, CancellationToken cancellationToken = default) =>
        SendAsync<PricingPlan>(HttpMethod.Get, $"v1/pricing/plans/{TollgateClient.Segment(code)}?currency={TollgateClient.Segment(currency)}", null,
            cancellationToken);

    /// <summary>The catalog's features, in catalog order.</summary>
    public Task<IReadOnlyList<PricingFeature>> GetFeaturesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<PricingFeature>>(HttpMethod.Get, "v1/pricing/features", null, cancellationToken);

    /// <summary>The feature × plan comparison table.</summary>
    public Task<PricingComparison> GetComparisonAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PricingComparison>(HttpMethod.Get, "v1/pricing/compare", null, cancellationToken);

    /// <summary>Sends a request and reads the answer, turning problem answers into exceptions.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken = default)
    {
        using var response = await SendCheckedAsync(method, path, body, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    /// <summary>Sends a request with an <c>Idempotency-Key</c> header (when given), so a retry answers the first request's result.</summary>
    internal async Task<T> SendAsync<T>(
        HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken cancellationToken, bool failFast = false)
    {
        using var response = await SendCheckedAsync(method, path, body, cancellationToken, idempotencyKey, failFast: failFast);
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    /// <summary>Sends a GET whose answer is a file (a PDF) and reads its bytes, turning problem answers into exceptions.</summary>
    public async Task<byte[]> GetBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await SendCheckedAsync(HttpMethod.Get, path, null, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Sends a request whose answer has no body (204), turning problem answers into exceptions.</summary>
    public async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken = default)
    {
        using var response = await SendCheckedAsync(method, path, body, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendCheckedAsync(
        HttpMethod method, string path, object? body, CancellationToken cancellationToken, string? idempotencyKey = null, bool sendOnce = false,
        bool failFast = false)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Options.Set(TollgateRetry.SendOnce, sendOnce);
        request.Options.Set(TollgateRetry.FailFast, failFast);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken);
            }
        }

        return response;
    }

    private static async Task<TollgateException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        JsonObject? problem = null;
        try
        {
            problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
        }
        catch (JsonException)
        {
        }

        var error = problem?["error"]?.GetValue<string>() ?? $"http_{(int)response.StatusCode}";
        var detail = problem?["detail"]?.GetValue<string>() ?? response.ReasonPhrase ?? "";
        return (response.StatusCode, problem) switch
        {
            (_, { } p) when error == "promotion_code_invalid" => new PromotionCodeInvalidException(detail, p),
            (_, { } p) when error == "seats_exhausted" => new SeatsExhaustedException(detail, p),
            (_, { } p) when error == "rate_limited" => new RateLimitedException(detail, p),
            (_, { } p) when error == "subscription_inactive" => new SubscriptionInactiveException(detail, p),
            (HttpStatusCode.TooManyRequests, { } p) => new QuotaExceededException(error, detail, p),
            (HttpStatusCode.PaymentRequired, { } p) => new FeatureNotInPlanException(detail, p),
            (HttpStatusCode.NotFound, { } p) => new TollgateNotFoundException(detail, p),
            (HttpStatusCode.Unauthorized, _) => new TollgateAuthenticationException(error, detail, problem),
            (HttpStatusCode.Forbidden, _) => new TollgatePermissionException(detail, problem),
            ( >= HttpStatusCode.InternalServerError, _) => new TollgateUnavailableException(response.StatusCode, error, detail, problem),
            _ => new TollgateException(response.StatusCode, error, detail, problem),
        };
    }
}

/// <summary>A granted hold; settle it with <see cref="CommitAsync"/> or give it back with <see cref="ReleaseAsync"/>.</summary>
public sealed class Reservation(TollgateClient client, ReservationResponse response)
{
    /// <summary>The reservation's id; null when nothing needed holding (a boolean feature).</summary>
    public string? Id => response.Id;

    /// <summary>The decision, with the held units in <c>reserved</c>.</summary>
    public EntitlementResponse Entitlement => response.Entitlement;

    /// <summary>When the hold lapses on its own.</summary>
    public DateTimeOffset? ExpiresAt => response.ExpiresAt;

    /// <summary>Settles to the units actually used; more than held must fit the quota again.</summary>
    public Task<EntitlementResponse> CommitAsync(long actual, CancellationToken cancellationToken = default) =>
        Id is null ? Task.FromResult(Entitlement) : client.CommitAsync(Id, actual, cancellationToken);

    /// <summary>Gives the held units back.</summary>
    public Task<EntitlementResponse> ReleaseAsync(CancellationToken cancellationToken = default) =>
        Id is null ? Task.FromResult(Entitlement) : client.ReleaseAsync(Id, cancellationToken);
}
