using System.Data.Common;
using Dapper;
using Tollgate.Core.Billing;
using Tollgate.Server.Billing;

namespace Tollgate.Server.Grants;

/// <summary>
/// A pack sold on an invoice that is then voided was never paid for: what its grant has left stops counting, as a voided
/// grant's does, and what was used stays used (the void does not bill it again).
/// </summary>
public sealed class PackGrantsOnVoid : IInvoiceVoided
{
    public Task VoidedInAsync(DbConnection c, DbTransaction tx, Invoice invoice, DateTimeOffset at, CancellationToken cancellationToken) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE credit_grants SET voided_at = @at WHERE invoice_id = @invoice AND customer_id = @customer AND voided_at IS NULL",
            new { invoice = invoice.Id, customer = invoice.CustomerId, at = at.ToUnixTimeMilliseconds() }, tx, cancellationToken: cancellationToken));
}
