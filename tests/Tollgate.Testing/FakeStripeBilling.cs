using System.Globalization;
using System.Text.Json.Nodes;

namespace Tollgate.Testing;

/// <summary>Invoice items and subscription updates and cancels, as Stripe's API takes and answers them (basil shapes).</summary>
public sealed partial class FakeStripe
{
    private static readonly string[] ProrationBehaviors = ["create_prorations", "none", "always_invoice"];
    private static readonly string[] Feedback =
        ["customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"];
    private readonly List<JsonObject> _invoiceItems = [];

    /// <summary>The pending invoice items created, in order, as Stripe would list them.</summary>
    public IReadOnlyList<JsonObject> InvoiceItems
    {
        get
        {
            lock (_lock)
            {
                return [.. _invoiceItems.Select(i => (JsonObject)i.DeepClone())];
            }
        }
    }

    /// <summary>The subscription is canceled in Stripe's dashboard, before any event about it reaches Tollgate.</summary>
    public void CancelInDashboard(string subscriptionId)
    {
        lock (_lock)
        {
            CancelSubscription(subscriptionId, new Dictionary<string, string>(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Stripe renews the subscription at its period's end: the item's period moves on by one interval. Answers the
    /// subscription its <c>customer.subscription.updated</c> carries (and the renewal invoice is built from).
    /// </summary>
    public JsonObject Renew(string subscriptionId)
    {
        lock (_lock)
        {
            var subscription = _subscriptions[subscriptionId];
            var item = subscription["items"]!["data"]![0]!;
            var start = DateTimeOffset.FromUnixTimeSeconds(item["current_period_end"]!.GetValue<long>());
            var yearly = item["price"]!["recurring"]!["interval"]!.GetValue<string>() == "year";
            item["current_period_start"] = start.ToUnixTimeSeconds();
            item["current_period_end"] = (yearly ? start.AddYears(1) : start.AddMonths(1)).ToUnixTimeSeconds();
            return (JsonObject)subscription.DeepClone();
        }
    }

    /// <summary>
    /// The customer moves to <paramref name="price"/> in Stripe's customer portal, as the portal's plan switch does (a new
    /// interval restarts the period); answers the subscription that Stripe's <c>customer.subscription.updated</c> carries.
    /// </summary>
    public JsonObject ChangePriceInPortal(string subscriptionId, string price)
    {
        lock (_lock)
        {
            var item = (JsonObject)_subscriptions[subscriptionId]["items"]!["data"]![0]!;
            var (status, body) = UpdateSubscription(subscriptionId, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["items[0][id]"] = item["id"]!.GetValue<string>(), ["items[0][price]"] = price, ["proration_behavior"] = "create_prorations",
            });
            return status == 200 ? (JsonObject)JsonNode.Parse(body)! : throw new InvalidOperationException(body);
        }
    }

    /// <summary>
    /// The customer cancels in Stripe's customer portal as it does on flexible billing: <c>cancel_at</c> set to the period's
    /// end, <c>cancel_at_period_end</c> left false; answers the subscription its <c>customer.subscription.updated</c> carries.
    /// </summary>
    public JsonObject CancelInPortalByDate(string subscriptionId, string? feedback = null)
    {
        lock (_lock)
        {
            var end = _subscriptions[subscriptionId]["items"]!["data"]![0]!["current_period_end"]!.GetValue<long>();
            var form = new Dictionary<string, string>(StringComparer.Ordinal) { ["cancel_at"] = end.ToString(CultureInfo.InvariantCulture) };
            if (feedback is not null)
            {
                form["cancellation_details[feedback]"] = feedback;
            }

            var (status, body) = UpdateSubscription(subscriptionId, form);
            return status == 200 ? (JsonObject)JsonNode.Parse(body)! : throw new InvalidOperationException(body);
        }
    }

    private (int, string) CreateInvoiceItem(Dictionary<string, string> form)
    {
        var customer = form.GetValueOrDefault("customer") ?? "";
        if (!_customers.ContainsKey(customer))
        {
            return Error(400, "invalid_request_error", "resource_missing", "customer", $"No such customer: '{customer}'");
        }

        if (!long.TryParse(form.GetValueOrDefault("amount"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
        {
            return Error(400, "invalid_request_error", "parameter_missing", "amount", "Missing required param: amount.");
        }

        if (form.GetValueOrDefault("currency") is not { Length: 3 } currency || currency != currency.ToLowerInvariant())
        {
            return Error(400, "invalid_request_error", "parameter_invalid_string", "currency", "Invalid currency: a lower-case ISO code is required.");
        }

        var subscription = form.GetValueOrDefault("subscription");
        if (subscription is not null && (!_subscriptions.TryGetValue(subscription, out var owner) || owner["status"]!.GetValue<string>() == "canceled"))
        {
            return Error(400, "invalid_request_error", "resource_missing", "subscription", $"No such active subscription: '{subscription}'");
        }

        var id = NewId("ii");
        var item = new JsonObject
        {
            ["id"] = id, ["object"] = "invoiceitem", ["amount"] = amount, ["currency"] = currency, ["customer"] = customer, ["date"] = Now,
            ["description"] = form.GetValueOrDefault("description"), ["discountable"] = amount > 0, ["invoice"] = null, ["livemode"] = false,
            ["metadata"] = Metadata(form, "metadata"), ["quantity"] = 1, ["proration"] = false,
            ["period"] = new JsonObject { ["start"] = Seconds(form, "period[start]"), ["end"] = Seconds(form, "period[end]") },
            ["parent"] = subscription is null ? null : new JsonObject
            {
                ["type"] = "subscription_details", ["subscription_details"] = new JsonObject { ["subscription"] = subscription },
            },
        };
        _invoiceItems.Add(item);
        return (200, item.ToJsonString());
    }

    private (int, string) UpdateSubscription(string id, Dictionary<string, string> form)
    {
        if (!_subscriptions.TryGetValue(id, out var subscription))
        {
            return Error(404, "invalid_request_error", "resource_missing", "id", $"No such subscription: '{id}'");
        }

        if (subscription["status"]!.GetValue<string>() == "canceled")
        {
            return Error(400, "invalid_request_error", null, null, "A canceled subscription can only update its cancellation_details and metadata.");
        }

        if (form.TryGetValue("proration_behavior", out var proration) && !ProrationBehaviors.Contains(proration))
        {
            return Error(400, "invalid_request_error", "parameter_invalid_string", "proration_behavior", $"Invalid proration_behavior: {proration}");
        }

        var item = (JsonObject)subscription["items"]!["data"]![0]!;
        if ((form.ContainsKey("items[0][price]") || form.ContainsKey("items[0][quantity]"))
            && form.GetValueOrDefault("items[0][id]") != item["id"]!.GetValue<string>())
        {
            return Error(400, "invalid_request_error", "resource_missing", "items[0][id]",
                $"Invalid subscription_item id: '{form.GetValueOrDefault("items[0][id]")}' (a new item would be added alongside the first).");
        }

        if (form.TryGetValue("items[0][quantity]", out var quantityText))
        {
            if (!int.TryParse(quantityText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var quantity))
            {
                return Error(400, "invalid_request_error", "parameter_invalid_integer", "items[0][quantity]", $"Invalid integer: {quantityText}");
            }

            item["quantity"] = quantity;
        }

        if (form.TryGetValue("items[0][price]", out var price))
        {

            if (!_prices.TryGetValue(price, out var known))
            {
                return Error(400, "invalid_request_error", "resource_missing", "items[0][price]", $"No such price: '{price}'");
            }

            var interval = item["price"]!["recurring"]!["interval"]!.GetValue<string>();
            item["price"] = new JsonObject
            {
                ["id"] = price, ["object"] = "price", ["currency"] = "usd", ["type"] = "recurring", ["unit_amount"] = known.Amount,
                ["recurring"] = new JsonObject { ["interval"] = known.Interval, ["interval_count"] = 1 },
            };
            if (known.Interval != interval)
            {
                // A new interval resets the billing cycle to now, as Stripe does.
                var start = Clock.GetUtcNow();
                item["current_period_start"] = start.ToUnixTimeSeconds();
                item["current_period_end"] = (known.Interval == "year" ? start.AddYears(1) : start.AddMonths(1)).ToUnixTimeSeconds();
                subscription["billing_cycle_anchor"] = start.ToUnixTimeSeconds();
            }
        }

        if (CancellationDetails(subscription, form) is { } invalid)
        {
            return invalid;
        }

        if (form.TryGetValue("cancel_at_period_end", out var cancel))
        {
            var atEnd = cancel == "true";
            // Clearing the flag clears the date it set; a date set on its own (the portal's) is kept, the stricter reading of
            // Stripe's docs, so Tollgate must unset it by name.
            var byFlag = subscription["cancel_at_period_end"]!.GetValue<bool>();
            subscription["cancel_at_period_end"] = atEnd;
            subscription["canceled_at"] = atEnd ? Now : byFlag ? null : subscription["canceled_at"]?.DeepClone();
            subscription["cancel_at"] = atEnd ? item["current_period_end"]!.DeepClone() : byFlag ? null : subscription["cancel_at"]?.DeepClone();
        }

        // cancel_at: a timestamp schedules the cancel by date (as Stripe's portal does), and an empty value unsets it.
        if (form.TryGetValue("cancel_at", out var cancelAt))
        {
            subscription["cancel_at"] = cancelAt.Length == 0 ? null : long.Parse(cancelAt, System.Globalization.CultureInfo.InvariantCulture);
            subscription["cancel_at_period_end"] = false;
            subscription["canceled_at"] = cancelAt.Length == 0 ? null : Now;
        }

        return (200, subscription.ToJsonString());
    }

    private (int, string) CancelSubscription(string id, Dictionary<string, string> form)
    {
        if (!_subscriptions.TryGetValue(id, out var subscription))
        {
            return Error(404, "invalid_request_error", "resource_missing", "id", $"No such subscription: '{id}'");
        }

        if (subscription["status"]!.GetValue<string>() == "canceled")
        {
            return Error(400, "invalid_request_error", "resource_missing", null, $"No such subscription: '{id}' (it is already canceled)");
        }

        if (CancellationDetails(subscription, form) is { } invalid)
        {
            return invalid;
        }

        subscription["status"] = "canceled";
        subscription["canceled_at"] = Now;
        subscription["ended_at"] = Now;
        return (200, subscription.ToJsonString());
    }

    /// <summary>Takes <c>cancellation_details[feedback]</c> and <c>[comment]</c> as Stripe does: feedback from its fixed set, or a 400 naming it.</summary>
    private static (int, string)? CancellationDetails(JsonObject subscription, Dictionary<string, string> form)
    {
        var feedback = form.GetValueOrDefault("cancellation_details[feedback]");
        if (feedback is not null && !Feedback.Contains(feedback))
        {
            return Error(400, "invalid_request_error", null, "cancellation_details[feedback]",
                $"Invalid cancellation_details[feedback]: must be one of {string.Join(", ", Feedback)}");
        }

        var comment = form.GetValueOrDefault("cancellation_details[comment]");
        if (feedback is not null || comment is not null)
        {
            var details = (JsonObject)subscription["cancellation_details"]!;
            details["feedback"] = feedback ?? details["feedback"]?.GetValue<string>();
            details["comment"] = comment ?? details["comment"]?.GetValue<string>();
            details["reason"] = "cancellation_requested";
        }

        return null;
    }

    private static long? Seconds(Dictionary<string, string> form, string key) =>
        long.TryParse(form.GetValueOrDefault(key), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
