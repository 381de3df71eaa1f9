namespace Tollgate.Server.OpenApi;

/// <summary>
/// Every operation's summary (what /docs lists and a generated client names) and, where the route alone does not say
/// enough, a description: in one table by method and route, as <see cref="TagDescriptions"/> holds the tags', so the
/// API reads as one voice and a new route without a line fails OpenApiDocumentTests. An endpoint's own WithSummary wins.
/// </summary>
public static class OperationSummaries
{
    public sealed record Text(string Summary, string? Description = null);

    public static IReadOnlyDictionary<string, Text> All { get; } = new Dictionary<string, Text>(StringComparer.Ordinal)
    {
        // Health
        ["GET /healthz"] = new("Check the server is alive", "Liveness: 200 while the process serves HTTP. It does not touch the database."),
        ["GET /readyz"] = new("Check the server is ready to serve",
            "Readiness: 200 when the database answers and its schema is at this build's version; otherwise 503 database_unavailable or "
            + "migrations_pending, with Retry-After. Takes no key, so it names nothing about the database."),
        ["GET /v1/admin/health/database"] = new("Read the database's health",
            "The provider, whether it answers, its latency and schema version."),

        // Customers
        ["GET /v1/customers"] = new("List customers",
            "Newest first; `query` is a prefix of the id, e-mail or name, `plan` and `status` those of the newest subscription."),
        ["PUT /v1/customers/{id}"] = new("Create or update a customer", "Keyed by your own user id: 201 when created, 200 when updated."),
        ["GET /v1/customers/{id}"] = new("Get a customer"),
        ["DELETE /v1/customers/{id}"] = new("Erase a customer (GDPR)",
            "Cancels any live subscription at once and erases the personal data, keeping ids and amounts; later calls answer 404."),
        ["GET /v1/customers/{id}/usage"] = new("Get a customer's usage",
            "The counters of the current quota windows, or with `at` of the windows that held that instant."),
        ["GET /v1/customers/{id}/entitlements"] = new("Get a customer's entitlements",
            "Every feature's access, limit or value on the customer's plan."),
        ["GET /v1/customers/{id}/usage/history"] = new("Get a customer's usage history",
            "Units per feature and day (or month) from the daily rollup."),
        ["GET /v1/customers/{id}/export"] = new("Export everything held about a customer (GDPR)", "One JSON document, streamed."),
        ["POST /v1/customers/{id}/sessions"] = new("Mint a customer session token for a browser",
            "A tg_cs_ token (shown once, stored hashed) that may only call the operations marked x-tollgate-customer-session, for "
            + "this customer: 15 minutes unless ttl_seconds (60 to 86,400) says otherwise."),
        ["DELETE /v1/customers/{id}/sessions/{sessionId}"] = new("Revoke a customer session", "The token stops working at once, on every node."),
        ["DELETE /v1/customers/{id}/sessions"] = new("Revoke every session of a customer", "Signs the customer out of every browser at once."),
        ["GET /v1/customers/{customer}/members"] = new("List an organisation's members"),
        ["PUT /v1/customers/{customer}/members/{member}"] = new("Add or update a member",
            "A member's calls count against the organisation's quotas; 402 seats_exhausted when every seat is taken."),
        ["DELETE /v1/customers/{customer}/members/{member}"] = new("Remove a member", "The member's seat is given back."),

        // Subscriptions
        ["POST /v1/subscriptions"] = new("Create a subscription", "Puts a customer on a plan's newest version."),
        ["GET /v1/subscriptions"] = new("List subscriptions", "Newest first, by customer, status and plan."),
        ["GET /v1/subscriptions/{id}"] = new("Get a subscription"),
        ["GET /v1/customers/{id}/subscriptions"] = new("List a customer's subscriptions"),
        ["POST /v1/subscriptions/{id}/change"] = new("Change a subscription's plan or billing period",
            "An upgrade is immediate with proration; a downgrade takes effect at the period end unless asked otherwise."),
        ["POST /v1/subscriptions/{id}/change/preview"] = new("Preview a plan change",
            "The answer the change would give, with its proration lines; nothing is written."),
        ["POST /v1/subscriptions/{id}/cancel"] = new("Cancel a subscription",
            "Now or at the period end, keeping the reason; the body may be left out."),
        ["POST /v1/subscriptions/{id}/undo-cancel"] = new("Undo a cancel at the period end"),
        ["POST /v1/subscriptions/{id}/seats"] = new("Change a subscription's seats", "For a per-seat price, with proration."),
        ["GET /v1/subscriptions/{id}/discount"] = new("Get a subscription's discount"),
        ["POST /v1/subscriptions/{id}/discount"] = new("Add a discount to a subscription",
            "By promotion code or coupon; it replaces any discount already there."),
        ["DELETE /v1/subscriptions/{id}/discount"] = new("Remove a subscription's discount"),

        // Entitlements
        ["POST /v1/entitlements/check"] = new("Check whether a customer may use a feature", "The decision, counting nothing."),
        ["POST /v1/entitlements/consume"] = new("Consume units of a feature",
            "One atomic decision: the units are counted only if the plan allows them. A refusal is 429 (quota_exceeded, rate_limited, "
            + "budget_exceeded) or 402 feature_not_in_plan; a retry with the same idempotency key answers the first decision."),
        ["POST /v1/entitlements/reserve"] = new("Reserve units before work of unknown size",
            "The units count against the quota at once and are held until committed, released or expired (ttl_seconds)."),
        ["POST /v1/reservations/{id}/commit"] = new("Commit a reservation",
            "Settles the hold to the units really used; more than was held must fit the quota again."),
        ["POST /v1/reservations/{id}/release"] = new("Release a reservation", "Gives the held units back."),

        // Events
        ["POST /v1/events"] = new("Record usage events",
            "After-the-fact usage, up to 1000 events: deduplicated by id, never denied. A feature event ({feature, amount}) that is bad is "
            + "listed in rejected; an event with properties ({event, properties}) feeds the catalog's metrics, and a malformed one fails "
            + "the request with 400 naming its path, writing nothing. An event with properties dated in a quota window that closed more "
            + "than Tollgate:Events:LateDays ago fails the request with 400 event_too_late naming events[i].timestamp, writing nothing; "
            + "a later one re-rates an invoiced window on the next invoice (a late_usage line)."),
        ["GET /v1/events"] = new("List usage records", "Newest first; a secret key must name a customer or member."),

        // Credit grants and packs
        ["POST /v1/customers/{id}/grants"] = new("Grant units or LLM budget to a customer",
            "Spent after the plan's allowance and before overage; `$llm_budget` grants LLM budget in nano-USD or amount_usd."),
        ["GET /v1/customers/{id}/grants"] = new("List a customer's credit grants"),
        ["GET /v1/customers/{id}/grants/{grantId}"] = new("Get a credit grant"),
        ["POST /v1/customers/{id}/grants/{grantId}/void"] = new("Void a credit grant",
            "What it has left stops counting at once; what it gave stays used."),
        ["GET /v1/packs"] = new("List the catalog's credit packs"),
        ["POST /v1/customers/{id}/packs"] = new("Sell a credit pack", "One transaction issues the pack's invoice and its grant."),
        ["POST /v1/customers/{id}/packs/checkout-sessions"] = new("Start a Stripe Checkout for a credit pack"),

        // LLM usage
        ["POST /v1/llm/usage"] = new("Log model calls",
            "One call, or {\"calls\": [...]} with up to 1000. Each is priced at the price in effect at its timestamp; "
            + "a retry with the same request_id counts once."),
        ["POST /v1/llm/budget/reserve"] = new("Hold LLM budget before a model call",
            "429 budget_exceeded when the plan's budget has no room for the estimate."),
        ["GET /v1/customers/{id}/llm-budget"] = new("Get a customer's LLM budget"),
        ["GET /v1/llm/calls"] = new("List logged model calls", "Newest first; a secret key must name a customer or member."),

        // LLM prices
        ["GET /v1/admin/llm/prices"] = new("List model prices", "Every effective date, by model then date."),
        ["POST /v1/admin/llm/prices"] = new("Add a model price",
            "201 with the new row, or 200 with the row in effect when it already says the same."),
        ["POST /v1/admin/llm/prices/import"] = new("Import a price table",
            "Tollgate's shape or LiteLLM's, up to 32 MiB, or gzipped; rows that change nothing are listed as unchanged."),
        ["POST /v1/admin/llm/recompute"] = new("Reprice the calls of a window",
            "After a price correction: moves rollups, budget counters and grant draws by the difference."),

        // Invoices
        ["GET /v1/invoices"] = new("List invoices", "Newest first, with their lines, by customer, status and creation time."),
        ["GET /v1/customers/{id}/invoices"] = new("List a customer's invoices", "With the customer's credit balance per currency."),
        ["GET /v1/invoices/{id}"] = new("Get an invoice", "By id or number, with its lines."),
        ["GET /v1/customers/{id}/upcoming-invoice"] = new("Preview the next invoice",
            "What the next renewal would issue if it ran now: the fee, usage and overage to date, pending items, the discount and credit; " +
            "status `upcoming`, no number, nothing written. 404 with resource `upcoming_invoice` without a live subscription that invoices again."),
        ["GET /v1/invoices/{id}/html"] = new("Get a printable invoice", "HTML with the seller, the buyer, the lines and the totals."),
        ["GET /v1/invoices/{id}/pdf"] = new("Get an invoice's PDF",
            "application/pdf with the seller, the customer's billing details, the lines, the totals and the credit notes."),
        ["POST /v1/invoices/{id}/mark-paid"] = new("Mark an invoice paid", "For payments collected outside Stripe."),
        ["POST /v1/invoices/{id}/void"] = new("Void an invoice"),
        ["POST /v1/invoices/{id}/mark-uncollectible"] = new("Mark an invoice uncollectible"),
        ["POST /v1/invoices/{id}/credit-notes"] = new("Credit an invoice",
            "Lines or an amount, with a reason: lowers what an open invoice has due, or becomes customer credit on a paid one "
            + "(refund: true refunds a Stripe-paid one through Stripe, at most what Stripe collected: 409 refund_exceeds_payment with "
            + "refundable_cents; 502 stripe_error when Stripe refuses, and the note is voided, its credit free again). "
            + "409 credit_exceeds_invoice past its total, credit_exceeds_line past a line, invoice_void on a void one, "
            + "invoice_collected_by_stripe on an unpaid invoice of a Stripe-billed subscription; "
            + "an Idempotency-Key retry answers the first note (and takes an unfinished refund on)."),
        ["GET /v1/invoices/{id}/credit-notes"] = new("List an invoice's credit notes", "Newest first."),
        ["GET /v1/credit-notes"] = new("List credit notes", "Newest first, by customer and invoice."),
        ["GET /v1/credit-notes/{id}"] = new("Get a credit note", "By id or number (CN-2026-000001)."),
        ["GET /v1/credit-notes/{id}/pdf"] = new("Get a credit note's PDF", "application/pdf: the invoice it corrects, its lines and where the money went."),
        ["POST /v1/credit-notes/{id}/refund"] = new("Take a credit note's refund on",
            "Reads where Stripe's refund got to, or hands over one whose call got no answer (found by the note's id first, never made twice). "
            + "A note whose refund is final, or that has none, is answered as it is; failed or canceled voids the note. 502 stripe_error when "
            + "Stripe cannot be asked."),

        // Payments and the portal
        ["POST /v1/billing/checkout-sessions"] = new("Start a Stripe Checkout for a plan"),
        ["POST /v1/billing/portal-sessions"] = new("Open Stripe's billing portal for a customer"),
        ["POST /v1/billing/webhooks/stripe"] = new("Receive a Stripe event",
            "Stripe calls this: the Stripe-Signature header is checked against the raw body, and each event takes effect once."),
        ["POST /v1/customers/{id}/portal-sessions"] = new("Open Tollgate's customer portal for a customer",
            "A signed, short-lived link, also in Location."),

        // Alerts
        ["GET /v1/customers/{id}/alerts"] = new("List a customer's usage alerts", "Newest first; `unread=true` for those not yet read."),
        ["POST /v1/alerts/{id}/read"] = new("Mark an alert read"),

        // Pricing (public)
        ["GET /v1/pricing/plans"] = new("List the public plans",
            "With display prices and every feature's terms, for a pricing page; no key needed."),
        ["GET /v1/pricing/plans/{code}"] = new("Get a public plan"),
        ["GET /v1/pricing/features"] = new("List the public features"),
        ["GET /v1/pricing/compare"] = new("Compare the public plans feature by feature",
            "The rows and cells of a comparison table, worded as on the plans, and the FAQ."),

        // Catalog
        ["PUT /v1/admin/catalog"] = new("Apply the catalog",
            "The whole document, applied all or nothing; a plan whose terms change gets a new version, "
            + "and every subscription keeps the one it was sold."),
        ["GET /v1/admin/catalog"] = new("Export the catalog"),
        ["GET /v1/admin/plans/{code}/versions"] = new("List a plan's versions"),
        ["POST /v1/admin/plans/{code}/offer-links"] = new("Create an offer link for a plan",
            "A signed, expiring link to the checkout of one plan, private or not."),

        // Keys
        ["POST /v1/admin/keys"] = new("Create an API key", "The answer is the only one that carries the key."),
        ["GET /v1/admin/keys"] = new("List API keys", "Never their secrets."),
        ["DELETE /v1/admin/keys/{id}"] = new("Revoke an API key"),

        // Webhooks
        ["POST /v1/admin/webhook-endpoints"] = new("Register a webhook endpoint",
            "The answer is the only one that carries the signing secret."),
        ["GET /v1/admin/webhook-endpoints"] = new("List webhook endpoints"),
        ["GET /v1/admin/webhook-endpoints/{id}"] = new("Get a webhook endpoint"),
        ["DELETE /v1/admin/webhook-endpoints/{id}"] = new("Delete a webhook endpoint",
            "Disabled for good and gone from the list; its delivery log stays."),
        ["POST /v1/admin/webhook-endpoints/{id}/disable"] = new("Disable a webhook endpoint", "Its pending deliveries are canceled."),
        ["POST /v1/admin/webhook-endpoints/{id}/enable"] = new("Enable a webhook endpoint"),
        ["POST /v1/admin/webhook-endpoints/{id}/test"] = new("Send a test event to a webhook endpoint"),
        ["POST /v1/admin/webhook-endpoints/{id}/rotate-secret"] = new("Rotate a webhook endpoint's signing secret",
            "Answers the new secret; the old one signs beside it for previous_secret_expires_in_hours (24 by default), so receivers switch without a gap."),
        ["GET /v1/admin/webhook-deliveries"] = new("List webhook deliveries"),
        ["GET /v1/admin/webhook-deliveries/{id}"] = new("Get a webhook delivery", "With the body sent and every attempt."),
        ["POST /v1/admin/webhook-deliveries/{id}/replay"] = new("Replay a webhook delivery",
            "The event again, to the same endpoint, as a new delivery."),

        // E-mail
        ["GET /v1/admin/emails"] = new("List e-mails sent to customers"),
        ["GET /v1/admin/emails/{id}"] = new("Get an e-mail", "With every attempt."),
        ["POST /v1/admin/emails/{id}/replay"] = new("Send an e-mail again", "A dead or skipped message, with a fresh set of attempts."),

        // Experiments
        ["POST /v1/admin/experiments"] = new("Create a price experiment", "A draft with its variants; one variant's key is control."),
        ["GET /v1/admin/experiments"] = new("List price experiments"),
        ["GET /v1/admin/experiments/{id}"] = new("Get a price experiment"),
        ["POST /v1/admin/experiments/{id}/start"] = new("Start a price experiment"),
        ["POST /v1/admin/experiments/{id}/stop"] = new("Stop a price experiment",
            "Optionally promoting a challenger, whose prices become new plan versions."),
        ["GET /v1/admin/experiments/{id}/results"] = new("Get a price experiment's results",
            "Conversions and MRR per variant, with intervals."),

        // Discounts
        ["POST /v1/admin/coupons"] = new("Create a coupon"),
        ["GET /v1/admin/coupons"] = new("List coupons"),
        ["GET /v1/admin/coupons/{id}"] = new("Get a coupon"),
        ["DELETE /v1/admin/coupons/{id}"] = new("Delete a coupon", "Discounts already applied stay."),
        ["POST /v1/admin/promotion-codes"] = new("Create a promotion code"),
        ["GET /v1/admin/promotion-codes"] = new("List promotion codes"),
        ["GET /v1/admin/promotion-codes/{id}"] = new("Get a promotion code", "By id or code, with the times it was redeemed."),
        ["POST /v1/admin/promotion-codes/{id}/deactivate"] = new("Deactivate a promotion code"),

        // Taxes
        ["POST /v1/admin/tax-rates"] = new("Create a tax rate",
            "A percentage (at most four decimals), inclusive or exclusive, for a country (and state) or for the customers it is set on."),
        ["GET /v1/admin/tax-rates"] = new("List tax rates", "Active and deactivated, in id order."),
        ["GET /v1/admin/tax-rates/{id}"] = new("Get a tax rate"),
        ["POST /v1/admin/tax-rates/{id}/deactivate"] = new("Deactivate a tax rate", "New invoices stop applying it; issued invoices keep it."),

        // Stats and usage
        ["GET /v1/admin/stats/saas"] = new("Get SaaS metrics", "MRR, ARR, their movements and churn over a window, and month by month."),
        ["GET /v1/admin/stats/revenue-vs-cost"] = new("Get revenue against LLM cost", "By model, feature and day."),
        ["GET /v1/admin/stats/user-costs/{customer}"] = new("Get a customer's revenue, LLM cost and margin"),
        ["GET /v1/admin/stats/features"] = new("Get usage and LLM cost per feature"),
        ["GET /v1/admin/stats/plans"] = new("Get customers, revenue, LLM cost and margin per plan"),
        ["GET /v1/admin/stats/top-spenders"] = new("List the customers with the highest LLM cost"),
        ["GET /v1/admin/stats/negative-margin"] = new("List the customers whose LLM cost exceeds their revenue"),
        ["GET /v1/admin/usage/daily"] = new("Get usage per feature and day", "Summed over every customer, with how many used it."),

        // Exports
        ["GET /v1/admin/exports/{kind}"] = new("Export rows as CSV or NDJSON",
            "Usage, LLM calls, events, invoices or customers, streamed row by row."),

        // Test clock (only with Tollgate:TestClock:Enabled)
        ["GET /v1/admin/clock"] = new("Read the test clock"),
        ["POST /v1/admin/clock/advance"] = new("Advance the test clock",
            "Runs whatever falls due on the way: renewals, trial ends, expiries."),
    };
}
