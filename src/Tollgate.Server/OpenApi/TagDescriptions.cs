using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tollgate.Server.OpenApi;

/// <summary>A description for every tag the operations use, in the order a new reader needs them.</summary>
public sealed class TagDescriptions : IOpenApiDocumentTransformer
{
    private static readonly (string Name, string Description)[] Known =
    [
        ("Customers", "Customers, keyed by your own user id: create them before checking or consuming, then read their usage and entitlements."),
        ("Credit grants", "Units of a metered feature granted beyond the plan's limit: spent after the allowance, before overage; list and void them."),
        ("Subscriptions", "Put a customer on a plan, change it (with a preview of the proration), cancel it or undo the cancel."),
        ("Entitlements", "The real-time decision: check, consume, or reserve then commit or release. Denials are 429 or 402 problems."),
        ("Events", "After-the-fact usage events, deduplicated by id and never denied."),
        ("LLM usage", "Log model calls (priced at the price in effect at their time) and hold LLM budget before a call."),
        ("Alerts", "Usage alerts: thresholds reached and projected run-outs, per customer."),
        ("Invoices", "Invoices Tollgate issued, their lines, and changes of their status."),
        ("Customer portal", "Short-lived signed links into Tollgate's hosted customer portal."),
        ("Payments", "Stripe Checkout and billing portal sessions, and the Stripe webhook."),
        ("Pricing", "The public plans and features, for a pricing page; no key needed."),
        ("Catalog", "The catalog of features and plans as one document: export it, or apply it whole."),
        ("Keys", "API keys: admin, secret (server side) and publishable (pricing reads)."),
        ("Webhooks", "Endpoints that receive Tollgate's signed webhooks, and their deliveries."),
        ("E-mail", "E-mails sent to customers through the outbox: the log, each message's attempts, and replay of what was not sent."),
        ("LLM prices", "Model prices: list, add, import (Tollgate's or LiteLLM's table), and reprice a window."),
        ("Discounts", "Coupons (what a discount takes off, and for how long) and the promotion codes customers type to redeem them."),
        ("Taxes", "Tax rates invoices apply by the customer's country and state, or as set on the customer; tax is worked out per line."),
        ("Stats", "SaaS metrics, revenue against LLM cost, and per-customer costs."),
        ("Exports", "Admin exports of usage, LLM calls, events, invoices and customers, as CSV or NDJSON streamed row by row."),
        ("Health", "Liveness, and the database's health."),
        ("Test clock", "Move the server's clock, when it runs with the test clock on."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var used = (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name).OfType<string>().ToHashSet();
        var tags = new HashSet<OpenApiTag>();
        foreach (var (name, description) in Known.Where(k => used.Contains(k.Name)))
        {
            tags.Add(new OpenApiTag { Name = name, Description = description });
        }

        // A tag added later without a line above still gets listed, named after itself.
        foreach (var name in used.Where(n => Known.All(k => k.Name != n)).Order(StringComparer.Ordinal))
        {
            tags.Add(new OpenApiTag { Name = name, Description = $"{name} endpoints." });
        }

        document.Tags = tags;
        return Task.CompletedTask;
    }
}
