using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Contracts;
using Tollgate.Core.Customers;
using Tollgate.Core.Money;
using Tollgate.Server.Catalog;
using Tollgate.Server.Http;
using Tollgate.Server.Taxes;

namespace Tollgate.Server.Customers;

/// <summary>Customers, keyed by the operator's own id. What their plan gives them is the Entitlements capability's.</summary>
public static class CustomersApi
{
    public static RouteGroupBuilder MapCustomers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/customers").WithTags("Customers").RequireAuthorization(Policies.Secret);
        group.MapPut("/{id}", UpsertAsync).ProducesProblems(409);
        group.MapGet("/{id}", GetAsync);
        return group;
    }

    public static CustomerResponse ToWire(Customer c) => new(c.Id, c.Email, c.Name, c.Metadata, c.HasPaymentMethod, c.CreatedAt, c.UpdatedAt,
        BillingDetailsWire.ToWire(c.Address), BillingDetailsWire.ToWire(c.TaxIds), c.TaxExempt, c.TaxRateIds, c.Currency);

    private static async Task<Results<Ok<CustomerResponse>, Created<CustomerResponse>, ProblemHttpResult>> UpsertAsync(
        string id, UpsertCustomerRequest request, CustomerStore customers, MemberStore members, TaxRateStore taxRates, CatalogCache catalog,
        CancellationToken cancellationToken)
    {
        var errors = Validate.Errors(
            ("id", Validate.Id(id)),
            ("email", request.Email is null || EmailAddress.IsValid(request.Email) ? null : EmailAddress.Hint),
            ("name", request.Name is { Length: > 500 } ? "must be at most 500 characters" : null),
            MetadataProblem(request.Metadata));
        BillingDetailsWire.Validate(request, errors);
        // Three letters are not a currency: "ZZZ" on a customer would take a subscription no paid plan can ever be sold in. A
        // currency the customer already has is kept, so a sync that sends the stored record again is never refused.
        if (request.Currency is { } asked && Currency.Canonical(asked) is { } code && !Currency.IsIso(code)
            && !(await catalog.GetAsync(cancellationToken)).Plans.Any(p => p.Current.Terms.Currencies.Contains(code, StringComparer.Ordinal))
            && (await customers.GetAsync(id, cancellationToken))?.Currency != code)
        {
            errors["currency"] = $"'{asked}' is not an ISO 4217 currency code, nor one a plan is priced in";
        }

        if (request.TaxRates is { } rates && !errors.Keys.Any(k => k.StartsWith("tax_rates", StringComparison.Ordinal)))
        {
            // A customer's rates must exist and be active now: a deactivated one would silently tax nothing.
            var unknown = await taxRates.UnknownAsync(rates, cancellationToken);
            for (var i = 0; i < rates.Count; i++)
            {
                if (unknown.Contains(rates[i]))
                {
                    errors[$"tax_rates[{i}]"] = $"no active tax rate '{rates[i]}'";
                }
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await members.GetAsync(id, cancellationToken) is not null)
        {
            return Problems.Create(409, "member_id_taken", $"'{id}' is a member's id; customer and member ids are unique across the installation.");
        }

        (Customer Customer, bool Created) upserted;
        try
        {
            upserted = await customers.UpsertAsync(id, request.Email, request.Name, request.Metadata, request.HasPaymentMethod,
                BillingDetailsWire.ToChange(request), cancellationToken);
        }
        catch (CustomerDeletedException deleted)
        {
            return Problems.Create(409, "customer_deleted", deleted.Message);
        }
        catch (CurrencyMismatchException mismatch)
        {
            return Problems.Create(409, "currency_mismatch", mismatch.Message);
        }

        var (customer, created) = upserted;
        return created ? TypedResults.Created($"/v1/customers/{id}", ToWire(customer)) : TypedResults.Ok(ToWire(customer));
    }

    // JSON null binds to a null value despite the type; it is named as consume, reserve and events name it, before any length is read.
    private static (string Field, string? Problem) MetadataProblem(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null ? ("metadata", null)
        : metadata.FirstOrDefault(kv => kv.Value is null) is { Key: { } nullKey } ? ($"metadata.{nullKey}", "must be a string")
        : metadata.Count > 50 ? ("metadata", "must have at most 50 keys")
        : metadata.Any(kv => kv.Key.Length is 0 or > 40 || kv.Value.Length > 500) ? ("metadata", "keys must be 1-40 characters and values at most 500")
        : ("metadata", null);

    private static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> GetAsync(
        string id, CustomerStore customers, CancellationToken cancellationToken) =>
        await customers.GetAsync(id, cancellationToken) is { } customer ? TypedResults.Ok(ToWire(customer)) : Problems.NotFound("customer", id);
}
