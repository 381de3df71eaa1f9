using System.Data.Common;
using Tollgate.Core.Billing;

namespace Tollgate.Server.Billing;

/// <summary>
/// What another capability undoes when an invoice is voided, in the void's own transaction: a pack's grant, say, whose
/// only invoice will now never be paid. Registered by that capability, so Billing names none of them.
/// </summary>
public interface IInvoiceVoided
{
    Task VoidedInAsync(DbConnection c, DbTransaction tx, Invoice invoice, DateTimeOffset at, CancellationToken cancellationToken);
}
