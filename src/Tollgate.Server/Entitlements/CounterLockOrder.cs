using Tollgate.Server.Catalog;
using Tollgate.Server.Customers;

namespace Tollgate.Server.Entitlements;

/// <summary>
/// The order writers take counter rows in, where other nodes write them too: by organisation (a member's usage counts
/// under theirs), then feature, an organisation's row before its members' shares. A batch runs its operations in the
/// order of their keys, so work is keyed by the organisation it counts for; work that counts for several organisations
/// runs in a batch of its own (<see cref="Alone"/>), taking them in this order, since no place among other operations
/// keeps it in order.
/// </summary>
internal sealed record CounterLockOrder(string Key, bool Alone, IReadOnlyDictionary<string, string> OrganisationOf)
{
    /// <summary>The order for work naming <paramref name="customerIds"/> (customers or members), from the contexts remembered.</summary>
    public static async Task<CounterLockOrder> OfAsync(EntitlementContextCache contexts, CatalogSnapshot snapshot, DateTimeOffset now,
        IEnumerable<string> customerIds, CancellationToken cancellationToken = default)
    {
        var organisationOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in customerIds)
        {
            if (!organisationOf.ContainsKey(id))
            {
                // An unknown id is refused in the batch; until then its own id places it.
                organisationOf[id] = (await contexts.LoadRememberedAsync(id, now, snapshot, cancellationToken))?.Context.CustomerId ?? id;
            }
        }

        var organisations = organisationOf.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new CounterLockOrder(organisations[0], organisations.Count > 1, organisationOf);
    }

    /// <summary><paramref name="items"/> in this order; one organisation's items of one feature keep theirs.</summary>
    public IReadOnlyList<T> Sort<T>(IReadOnlyList<T> items, Func<T, string> customer, Func<T, string> feature) =>
        [.. items.OrderBy(i => OrganisationOf[customer(i)], StringComparer.Ordinal).ThenBy(feature, StringComparer.Ordinal)];
}
