using Tollgate.Contracts;

namespace Tollgate.Client;

/// <summary>Coupons (<c>/v1/admin/coupons</c>, admin key).</summary>
public sealed class CouponsResource(TollgateClient client)
{
    /// <summary>Creates a coupon: exactly one of a percentage and an amount.</summary>
    public Task<CouponResponse> CreateAsync(CreateCouponRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<CouponResponse>(HttpMethod.Post, "v1/admin/coupons", request, cancellationToken);

    /// <summary>Reads a coupon.</summary>
    public Task<CouponResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<CouponResponse>(HttpMethod.Get, $"v1/admin/coupons/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>One page of coupons, by id.</summary>
    public Task<ListResponse<CouponResponse>> ListAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<CouponResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/admin/coupons", ("limit", limit), ("cursor", cursor)), null,
            cancellationToken);

    /// <summary>Every coupon, page after page.</summary>
    public IAsyncEnumerable<CouponResponse> ListAllAsync(CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>Deletes a coupon: it can no longer be redeemed; discounts already made from it keep their terms.</summary>
    public Task<DeletedResponse> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<DeletedResponse>(HttpMethod.Delete, $"v1/admin/coupons/{TollgateClient.Segment(id)}", null, cancellationToken);
}

/// <summary>Promotion codes (<c>/v1/admin/promotion-codes</c>, admin key).</summary>
public sealed class PromotionCodesResource(TollgateClient client)
{
    /// <summary>Creates a code for a coupon.</summary>
    public Task<PromotionCodeResponse> CreateAsync(CreatePromotionCodeRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<PromotionCodeResponse>(HttpMethod.Post, "v1/admin/promotion-codes", request, cancellationToken);

    /// <summary>Reads a code by its id or by the code itself.</summary>
    public Task<PromotionCodeResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<PromotionCodeResponse>(HttpMethod.Get, $"v1/admin/promotion-codes/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>One page of codes, or of one coupon's.</summary>
    public Task<ListResponse<PromotionCodeResponse>> ListAsync(
        string? coupon = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<PromotionCodeResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/admin/promotion-codes", ("coupon", coupon),
            ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every code (of one coupon), page after page.</summary>
    public IAsyncEnumerable<PromotionCodeResponse> ListAllAsync(string? coupon = null, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(coupon, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>Stops the code from being redeemed.</summary>
    public Task<PromotionCodeResponse> DeactivateAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<PromotionCodeResponse>(HttpMethod.Post, $"v1/admin/promotion-codes/{TollgateClient.Segment(id)}/deactivate", null, cancellationToken);
}

/// <summary>Tax rates (<c>/v1/admin/tax-rates</c>, admin key).</summary>
public sealed class TaxRatesResource(TollgateClient client)
{
    /// <summary>Creates a rate: a percentage with at most four decimals, inclusive or exclusive, for a country (and state) or for customers it is set on.</summary>
    public Task<TaxRateResponse> CreateAsync(CreateTaxRateRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<TaxRateResponse>(HttpMethod.Post, "v1/admin/tax-rates", request, cancellationToken);

    /// <summary>Reads a rate.</summary>
    public Task<TaxRateResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<TaxRateResponse>(HttpMethod.Get, $"v1/admin/tax-rates/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>One page of rates, active or not, by id.</summary>
    public Task<ListResponse<TaxRateResponse>> ListAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<TaxRateResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/admin/tax-rates", ("limit", limit), ("cursor", cursor)),
            null, cancellationToken);

    /// <summary>Every rate, page after page.</summary>
    public IAsyncEnumerable<TaxRateResponse> ListAllAsync(CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>Stops new invoices from applying the rate; issued invoices keep it.</summary>
    public Task<TaxRateResponse> DeactivateAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<TaxRateResponse>(HttpMethod.Post, $"v1/admin/tax-rates/{TollgateClient.Segment(id)}/deactivate", null, cancellationToken);
}

/// <summary>Credit grants: units of a metered feature beyond the plan's limit.</summary>
public sealed class GrantsResource(TollgateClient client)
{
    private static string Base(string customer) => $"v1/customers/{TollgateClient.Segment(customer)}/grants";

    /// <summary>Grants units to a customer, under a key made for this call, so the client's retries grant once.</summary>
    public Task<CreditGrantResponse> CreateAsync(string customer, CreateCreditGrantRequest request, CancellationToken cancellationToken = default) =>
        CreateAsync(customer, request, null, cancellationToken);

    /// <summary>
    /// Grants units to a customer under <paramref name="idempotencyKey"/> (one is made when null): the same key again answers
    /// the first grant; for another grant or customer it throws a <see cref="TollgateException"/> with <c>Error</c> idempotency_mismatch.
    /// </summary>
    public Task<CreditGrantResponse> CreateAsync(
        string customer, CreateCreditGrantRequest request, string? idempotencyKey, CancellationToken cancellationToken = default) =>
        client.SendAsync<CreditGrantResponse>(HttpMethod.Post, Base(customer), request, idempotencyKey ?? TollgateClient.NewIdempotencyKey(),
            cancellationToken);

    /// <summary>One page of the customer's grants, newest first.</summary>
    public Task<ListResponse<CreditGrantResponse>> ListAsync(
        string customer, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<CreditGrantResponse>>(HttpMethod.Get, TollgatePaging.Path(Base(customer), ("limit", limit), ("cursor", cursor)),
            null, cancellationToken);

    /// <summary>Every grant of the customer, page after page.</summary>
    public IAsyncEnumerable<CreditGrantResponse> ListAllAsync(string customer, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(customer, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>Reads one grant.</summary>
    public Task<CreditGrantResponse> GetAsync(string customer, string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<CreditGrantResponse>(HttpMethod.Get, $"{Base(customer)}/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>Voids a grant: what is left stops counting.</summary>
    public Task<CreditGrantResponse> VoidAsync(string customer, string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<CreditGrantResponse>(HttpMethod.Post, $"{Base(customer)}/{TollgateClient.Segment(id)}/void", null, cancellationToken);
}

/// <summary>Credit packs: what the catalog sells, sold to a customer by the API (an invoice and the grant at once).</summary>
public sealed class PacksResource(TollgateClient client)
{
    /// <summary>One page of the catalog's packs, by code.</summary>
    public Task<ListResponse<CreditPackResponse>> ListAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<CreditPackResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/packs", ("limit", limit), ("cursor", cursor)),
            null, cancellationToken);

    /// <summary>Every pack of the catalog, page after page.</summary>
    public IAsyncEnumerable<CreditPackResponse> ListAllAsync(CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>
    /// Sells <paramref name="pack"/> to the customer: a one-line invoice (paid when <paramref name="paid"/>) and the grant. Under
    /// one <paramref name="idempotencyKey"/> a retry answers the first sale instead of selling again; without one a key is made,
    /// so the client's own retries (a 502 from a proxy after the sale committed) sell once, as in the Python and TypeScript SDKs.
    /// </summary>
    public Task<PackSaleResponse> SellAsync(
        string customer, string pack, bool paid = false, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<PackSaleResponse>(HttpMethod.Post, $"v1/customers/{TollgateClient.Segment(customer)}/packs", new SellPackRequest(pack, paid),
            idempotencyKey ?? TollgateClient.NewIdempotencyKey(), cancellationToken);

    /// <summary>
    /// A Stripe Checkout for one pack (its <c>stripe_price_id</c>): the grant is made when Stripe reports the payment. Without
    /// Stripe configured it throws <see cref="TollgateUnavailableException"/> with error <c>payments_not_configured</c> (503).
    /// </summary>
    public Task<CheckoutSessionResponse> CreateCheckoutSessionAsync(
        string customer, string pack, string successUrl, string cancelUrl, CancellationToken cancellationToken = default) =>
        client.SendAsync<CheckoutSessionResponse>(HttpMethod.Post, $"v1/customers/{TollgateClient.Segment(customer)}/packs/checkout-sessions",
            new CreatePackCheckoutRequest(pack, successUrl, cancelUrl), cancellationToken);
}

/// <summary>Members of an organisation (a customer); entitlement calls may name a member in place of the organisation.</summary>
public sealed class MembersResource(TollgateClient client)
{
    private static string Path(string customer, string member) =>
        $"v1/customers/{TollgateClient.Segment(customer)}/members/{TollgateClient.Segment(member)}";

    /// <summary>Adds the member (taking a seat on a per-seat price: <see cref="SeatsExhaustedException"/> when none is left) or updates it.</summary>
    public Task<MemberResponse> UpsertAsync(string customer, string member, UpsertMemberRequest? request = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<MemberResponse>(HttpMethod.Put, Path(customer, member), request ?? new UpsertMemberRequest(), cancellationToken);

    /// <summary>Removes the member, freeing its seat.</summary>
    public Task DeleteAsync(string customer, string member, CancellationToken cancellationToken = default) =>
        client.SendAsync(HttpMethod.Delete, Path(customer, member), null, cancellationToken);

    /// <summary>One page of the members, in id order.</summary>
    public Task<ListResponse<MemberResponse>> ListAsync(string customer, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<MemberResponse>>(HttpMethod.Get, TollgatePaging.Path($"v1/customers/{TollgateClient.Segment(customer)}/members",
            ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every member, page after page.</summary>
    public IAsyncEnumerable<MemberResponse> ListAllAsync(string customer, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(customer, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);
}

/// <summary>Signed, expiring checkout links for one plan (admin key).</summary>
public sealed class OfferLinksResource(TollgateClient client)
{
    /// <summary>Makes a link to the plan's checkout.</summary>
    public Task<OfferLinkResponse> CreateAsync(string plan, CreateOfferLinkRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<OfferLinkResponse>(HttpMethod.Post, $"v1/admin/plans/{TollgateClient.Segment(plan)}/offer-links", request, cancellationToken);
}

/// <summary>Price experiments (<c>/v1/admin/experiments</c>, admin key); see docs/experiments.md.</summary>
public sealed class ExperimentsResource(TollgateClient client)
{
    /// <summary>Creates a draft: a "control" variant (the catalog as it is) and challengers with their prices.</summary>
    public Task<ExperimentResponse> CreateAsync(CreateExperimentRequest request, CancellationToken cancellationToken = default) =>
        client.SendAsync<ExperimentResponse>(HttpMethod.Post, "v1/admin/experiments", request, cancellationToken);

    /// <summary>Every experiment, newest first.</summary>
    public async Task<IReadOnlyList<ExperimentResponse>> ListAsync(CancellationToken cancellationToken = default) =>
        (await client.SendAsync<ExperimentListResponse>(HttpMethod.Get, "v1/admin/experiments", null, cancellationToken)).Experiments;

    /// <summary>One experiment; an unknown id throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<ExperimentResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<ExperimentResponse>(HttpMethod.Get, $"v1/admin/experiments/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>Starts a draft. Another running experiment throws <see cref="TollgateException"/> with error <c>experiment_running</c> (409).</summary>
    public Task<ExperimentResponse> StartAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<ExperimentResponse>(HttpMethod.Post, $"v1/admin/experiments/{TollgateClient.Segment(id)}/start", null, cancellationToken);

    /// <summary>Stops a running experiment; with <paramref name="promote"/>, that variant's prices become new plan versions.</summary>
    public Task<ExperimentResponse> StopAsync(string id, string? promote = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ExperimentResponse>(HttpMethod.Post, $"v1/admin/experiments/{TollgateClient.Segment(id)}/stop",
            new StopExperimentRequest(promote), cancellationToken);

    /// <summary>Per-variant visitors, conversions, MRR and each challenger's test against control.</summary>
    public Task<ExperimentResultsResponse> ResultsAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<ExperimentResultsResponse>(HttpMethod.Get, $"v1/admin/experiments/{TollgateClient.Segment(id)}/results", null,
            cancellationToken);
}

/// <summary>Credit notes: corrections of issued invoices (<c>credit_notes.create/list/get</c> in the other SDKs).</summary>
public sealed class CreditNotesResource(TollgateClient client)
{
    /// <summary>
    /// Credits <paramref name="invoice"/> (by id or number): on an open invoice it lowers the amount due, on a paid one it becomes
    /// customer credit. More than the invoice has left throws <see cref="TollgateException"/> with error <c>credit_exceeds_invoice</c>.
    /// A key is made when none is given, so the client's own retries never credit twice.
    /// </summary>
    public Task<CreditNoteResponse> CreateAsync(
        string invoice, CreateCreditNoteRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<CreditNoteResponse>(HttpMethod.Post, $"v1/invoices/{TollgateClient.Segment(invoice)}/credit-notes", request,
            idempotencyKey ?? TollgateClient.NewIdempotencyKey(), cancellationToken);

    /// <summary>One page of credit notes, newest first, narrowed to a <paramref name="customer"/> or an <paramref name="invoice"/>.</summary>
    public Task<ListResponse<CreditNoteResponse>> ListAsync(
        string? customer = null, string? invoice = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        client.SendAsync<ListResponse<CreditNoteResponse>>(HttpMethod.Get, TollgatePaging.Path("v1/credit-notes", ("customer", customer),
            ("invoice", invoice), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every credit note that matches, page after page.</summary>
    public IAsyncEnumerable<CreditNoteResponse> ListAllAsync(string? customer = null, string? invoice = null, CancellationToken cancellationToken = default) =>
        TollgatePaging.EnumerateAsync((cursor, ct) => ListAsync(customer, invoice, TollgatePaging.MaxLimit, cursor, ct), cancellationToken);

    /// <summary>
    /// Takes the note's refund as far as Stripe allows now (a refund Tollgate could not hand over is handed over); safe to
    /// retry. A note that asked for no refund throws <see cref="TollgateException"/> with error <c>no_refund</c> (409).
    /// </summary>
    public Task<CreditNoteResponse> RefundAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<CreditNoteResponse>(HttpMethod.Post, $"v1/credit-notes/{TollgateClient.Segment(id)}/refund", null, cancellationToken);

    /// <summary>One credit note, by id or number (CN-2026-000001).</summary>
    public Task<CreditNoteResponse> GetAsync(string id, CancellationToken cancellationToken = default) =>
        client.SendAsync<CreditNoteResponse>(HttpMethod.Get, $"v1/credit-notes/{TollgateClient.Segment(id)}", null, cancellationToken);

    /// <summary>The credit note as a PDF (application/pdf); an unknown id throws <see cref="TollgateNotFoundException"/>.</summary>
    public Task<byte[]> PdfAsync(string id, CancellationToken cancellationToken = default) =>
        client.GetBytesAsync($"v1/credit-notes/{TollgateClient.Segment(id)}/pdf", cancellationToken);
}
