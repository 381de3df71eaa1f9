using Tollgate.Contracts;
using Tollgate.Core.Alerts;
using Tollgate.Core.Billing;
using Tollgate.Core.Catalog;
using Tollgate.Core.Customers;

namespace Tollgate.Server.Web.Admin;

/// <summary>What a customer's console page shows, read before any markup is written.</summary>
public sealed record CustomerPageView(
    AdminUser User, string Product, Customer Customer, string? Done, Subscription? Subscription, PlanVersion? SubscriptionVersion, string PlanCode,
    IReadOnlyList<PlanChoice> Choices, IReadOnlyList<UsageLine> Usage, UsageHistoryView History, CustomerCostResponse? Costs, GrantsView Grants,
    IReadOnlyList<Invoice> Invoices, IReadOnlyList<UsageAlert> Alerts);

/// <summary>One option of the plan picker: "plan:period", its words, and whether it is the subscription's own.</summary>
public sealed record PlanChoice(string Value, string Text, bool Current);

/// <summary>A metered feature's use this period against its limit ("unlimited", "not included" or a number).</summary>
public sealed record UsageLine(string Name, string Used, string Limit);

/// <summary>The usage-history card: the chosen range, the chart (or why the range was refused) and the totals.</summary>
public sealed record UsageHistoryView(
    string Customer, string Unit, bool Refused, string? Chart, string Range, IReadOnlyList<(string Code, string Name, long Total)> Totals);

/// <summary>The credit-grant card: the newest grants and the features the form may grant.</summary>
public sealed record GrantsView(string Customer, IReadOnlyList<GrantRow> Rows, IReadOnlyList<(string Code, string Name)> Features, long MaxAmount);

/// <summary>A grant as listed: amounts in units, or in dollars for the LLM budget.</summary>
public sealed record GrantRow(string Feature, string Amount, string Left, string Expires, string Status, string Reason);
