using Dapper;
using Tollgate.Server.Grants;

namespace Tollgate.Server.Payments;

/// <summary>Credit packs bought through Checkout: the completed session's id is the grant's source, so a redelivery grants nothing more.</summary>
internal sealed partial class StripeEventWriter
{
    private async Task<(string Outcome, string? Detail)> PackAsync(StripeEffect.PackPaid paid)
    {
        // An asynchronous method (a bank debit) completes the session unpaid; checkout.session.async_payment_succeeded follows.
        if (paid.PaymentStatus != "paid")
        {
            return (StripeOutcomes.Ignored, $"{paid.SessionId} is {paid.PaymentStatus}; the pack is granted once it is paid");
        }

        if ((await catalog.GetAsync(ct)).Pack(paid.PackCode) is not { } pack)
        {
            return (StripeOutcomes.UnknownPrice, $"no pack '{paid.PackCode}' in the catalog");
        }

        if (await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM customers WHERE id = @CustomerId AND deleted_at IS NULL", paid, tx,
                cancellationToken: ct)) == 0)
        {
            return (StripeOutcomes.UnknownCustomer, $"no customer '{paid.CustomerId}' (client_reference_id)");
        }

        var (grant, created) = await PackSales.GrantPaidAsync(c, tx, paid.CustomerId, pack, paid.SessionId, time, ct);
        touched.Add(paid.CustomerId);
        return (StripeOutcomes.Ok, created
            ? $"pack {pack.Code} granted to {paid.CustomerId} ({grant.Id})"
            : $"{paid.SessionId} already granted {grant.Id}");
    }
}
