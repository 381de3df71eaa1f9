using Dapper;
using Microsoft.Extensions.Options;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Grants;
using Tollgate.Server.Billing;
using Tollgate.Server.Customers;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Grants;

/// <summary>A pack sold: the grant it made and the invoice it was billed on (null when Stripe billed it through Checkout).</summary>
public sealed record PackSale(CreditGrant Grant, Invoice? Invoice, bool Created);

/// <summary>
/// Where a sale comes from: the source its grant is made under, and the one a sale with the same key was made under
/// before keys were the server's (<c>api:{customer}:{key}</c>), which a retry of such a sale must still find.
/// </summary>
public sealed record PackSaleSource(string Source, string? Earlier = null)
{
    /// <summary>A key is the server's, not the customer's: the same key for another customer is another sale, refused.</summary>
    public static PackSaleSource For(string customerId, string? idempotencyKey) => idempotencyKey is null
        ? new($"api:{Guid.NewGuid():N}")
        : new($"pack:{idempotencyKey}", $"api:{customerId}:{idempotencyKey}");
}

/// <summary>
/// Sells credit packs. Each sale names its source (an Idempotency-Key, a Checkout session) and the grant's unique
/// <c>source_ref</c> holds it, so however often a sale is retried or its event redelivered, one grant and one invoice exist.
/// </summary>
public sealed class PackSales(TollgateDatabase database, IOptions<BillingOptions> options, TimeProvider time)
{
    /// <summary>
    /// Issues a one-line invoice for the pack at <paramref name="price"/> (paid, or open and due now) and the grant, in one
    /// transaction. A second sale from the same <paramref name="source"/> answers the first; null when that source already
    /// made a different sale (another pack, customer, or paid where it was open). The price's currency becomes the customer's when it has none; a customer already in another
    /// throws <see cref="CurrencyMismatchException"/> and nothing is written.
    /// </summary>
    public Task<PackSale?> SellAsync(
        string customerId, CreditPack pack, PackPrice price, bool paid, PackSaleSource source, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            // No sale is made under the earlier source any more, so finding it needs no lock.
            if (source.Earlier is { } earlier && await CreditGrantStore.BySourceAsync(c, tx, earlier, cancellationToken) is { } before)
            {
                return await SameSaleAsync(c, tx, before, customerId, pack, paid, cancellationToken);
            }

            // The grant goes first: a concurrent sale of the same source waits on its unique source_ref, then finds this one.
            var now = time.GetUtcNow();
            if (await CreditGrantStore.InsertAsync(c, tx, Grant(customerId, pack, source.Source, now), null, time, cancellationToken) is not { } grant)
            {
                var existing = (await CreditGrantStore.BySourceAsync(c, tx, source.Source, cancellationToken))!;
                return await SameSaleAsync(c, tx, existing, customerId, pack, paid, cancellationToken);
            }

            // A customer has one currency: under its lock, so a first subscription in another cannot slip in beside this invoice.
            if (!await CustomerCurrency.LockAndFixAsync(c, tx, customerId, price.Currency, database.Dialect, cancellationToken))
            {
                var own = await c.QuerySingleAsync<string>(new CommandDefinition("SELECT currency FROM customers WHERE id = @customerId",
                    new { customerId }, tx, cancellationToken: cancellationToken));
                throw new CurrencyMismatchException(CustomerCurrency.Mismatch(customerId, own, price.Currency));
            }

            var invoice = await IssueAsync(c, tx, customerId, pack, price, paid, now, cancellationToken);
            await c.ExecuteAsync(new CommandDefinition("UPDATE credit_grants SET invoice_id = @invoice WHERE id = @grant",
                new { invoice = invoice.Id, grant = grant.Id }, tx, cancellationToken: cancellationToken));
            return new PackSale(grant, invoice, true);
        }, cancellationToken);

    /// <summary>The first sale, answered again, when the retry asks for the same one; null when it asks for another.</summary>
    private static async Task<PackSale?> SameSaleAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, CreditGrant existing,
        string customerId, CreditPack pack, bool paid, CancellationToken cancellationToken)
    {
        var invoiceId = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT invoice_id FROM credit_grants WHERE id = @Id", new { existing.Id }, tx, cancellationToken: cancellationToken));
        var invoice = invoiceId is null ? null : await InvoiceStore.GetAsync(c, tx, invoiceId, cancellationToken);
        // A sale made paid is paid the instant it is issued, one made open is not (paid later, if at all); with nothing
        // due after credit the two are the same invoice, so either answers it.
        var samePaid = invoice is null || invoice.AmountDueCents == 0 || (invoice.PaidAt is { } at && at == invoice.IssuedAt) == paid;
        return existing.PackCode == pack.Code && existing.CustomerId == customerId && samePaid ? new PackSale(existing, invoice, false) : null;
    }

    /// <summary>The grant for a pack Stripe sold through Checkout, made once per session: the session id is its source.</summary>
    internal static async Task<(CreditGrant Grant, bool Created)> GrantPaidAsync(
        System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string customerId, CreditPack pack, string sessionId,
        TimeProvider time, CancellationToken cancellationToken)
    {
        return await CreditGrantStore.InsertAsync(c, tx, Grant(customerId, pack, sessionId, time.GetUtcNow()), null, time, cancellationToken) is { } made
            ? (made, true)
            : ((await CreditGrantStore.BySourceAsync(c, tx, sessionId, cancellationToken))!, false);
    }

    private static NewCreditGrant Grant(string customerId, CreditPack pack, string source, DateTimeOffset boughtAt) =>
        new(customerId, pack.Feature, pack.Amount, pack.ExpiresAt(boughtAt), CreditGrant.DefaultPriority, $"pack {pack.Code}", pack.Code, source);

    // A pack's invoice is issued as every other invoice is (number, credit balance, webhooks), with its one line.
    private Task<Invoice> IssueAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string customerId,
        CreditPack pack, PackPrice price, bool paid, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var line = new InvoiceLine(InvoiceLineKind.Pack, $"{pack.Name} ({pack.Amount:N0} {pack.Feature})", price.PriceCents, 1, price.PriceCents, now, now,
            FeatureCode: pack.Feature);
        return new InvoiceWriter(c, tx, time, options.Value, cancellationToken).IssueOneOffAsync(customerId, price.Currency, "pack", [line], now, paid);
    }
}
