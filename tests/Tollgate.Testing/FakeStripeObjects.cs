using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tollgate.Testing;

/// <summary>The fake's objects and events, shaped as Stripe renders them in API version 2025-03-31.basil.</summary>
public sealed partial class FakeStripe
{
    public const string ApiVersion = "2025-03-31.basil";

    /// <summary>Stripe's webhook signature header: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256 of "t.payload" keyed with the whole secret&gt;.</summary>
    public static string Sign(string payload, string secret, long timestamp)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Delivers <paramref name="payload"/> to Tollgate's webhook as Stripe does, signed at <paramref name="at"/> (now by default).</summary>
    public async Task<HttpResponseMessage> SignedWebhookAsync(HttpClient client, string payload, string? secret = null, DateTimeOffset? at = null)
    {
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/billing/webhooks/stripe", UriKind.Relative)) { Content = content };
        var signedAt = (at ?? Clock.GetUtcNow()).ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(payload, secret ?? WebhookSecret, signedAt));
        return await client.SendAsync(request);
    }

    /// <summary>An event around <paramref name="data"/>, created at <paramref name="created"/> (now by default).</summary>
    public string Event(string type, JsonObject data, DateTimeOffset? created = null, string? id = null) => new JsonObject
    {
        ["id"] = id ?? NewId("evt"),
        ["object"] = "event",
        ["api_version"] = ApiVersion,
        ["created"] = (created ?? Clock.GetUtcNow()).ToUnixTimeSeconds(),
        ["data"] = new JsonObject { ["object"] = data.DeepClone() },
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["type"] = type,
    }.ToJsonString();

    /// <summary>
    /// The invoice of the subscription's current period: the subscription under parent.subscription_details and the
    /// service period on the line, as basil renders them. Paid, it carries amount_paid and status_transitions.paid_at.
    /// </summary>
    public JsonObject Invoice(JsonObject subscription, bool paid, long? amount = null)
    {
        var item = subscription["items"]!["data"]![0]!;
        var total = amount ?? item["price"]!["unit_amount"]!.GetValue<long>();
        var subscriptionId = subscription["id"]!.GetValue<string>();
        var invoiceId = NewId("in");
        return new JsonObject
        {
            ["id"] = invoiceId,
            ["object"] = "invoice",
            ["customer"] = subscription["customer"]!.GetValue<string>(),
            ["status"] = paid ? "paid" : "open",
            ["currency"] = "usd",
            ["amount_due"] = total,
            ["amount_paid"] = paid ? total : 0,
            ["amount_remaining"] = paid ? 0 : total,
            // Untaxed until Taxed says otherwise: basil always lists total_taxes, empty when Stripe charged none.
            ["subtotal"] = total,
            ["subtotal_excluding_tax"] = total,
            ["total"] = total,
            ["total_excluding_tax"] = total,
            ["total_taxes"] = new JsonArray(),
            ["attempt_count"] = 1,
            ["billing_reason"] = "subscription_create",
            ["created"] = Now,
            ["period_start"] = Now,
            ["period_end"] = Now,
            ["status_transitions"] = new JsonObject { ["paid_at"] = paid ? Now : null },
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["quote_details"] = null,
                ["subscription_details"] = new JsonObject { ["subscription"] = subscriptionId, ["metadata"] = subscription["metadata"]!.DeepClone() },
            },
            ["lines"] = new JsonObject
            {
                ["object"] = "list",
                ["has_more"] = false,
                ["url"] = $"/v1/invoices/{invoiceId}/lines",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = NewId("il"),
                    ["object"] = "line_item",
                    ["amount"] = total,
                    ["currency"] = "usd",
                    ["quantity"] = 1,
                    ["period"] = new JsonObject
                    {
                        ["start"] = item["current_period_start"]!.DeepClone(), ["end"] = item["current_period_end"]!.DeepClone(),
                    },
                    ["parent"] = new JsonObject
                    {
                        ["type"] = "subscription_item_details",
                        ["subscription_item_details"] = new JsonObject
                        {
                            ["subscription"] = subscriptionId, ["subscription_item"] = item["id"]!.DeepClone(), ["proration"] = false,
                            ["invoice_item"] = null,
                        },
                    },
                    ["pricing"] = new JsonObject
                    {
                        ["type"] = "price_details",
                        ["price_details"] = new JsonObject { ["price"] = item["price"]!["id"]!.DeepClone(), ["product"] = "prod_fake" },
                    },
                }),
            },
        };
    }

    private (int, string) CreateCustomer(Dictionary<string, string> form)
    {
        var customer = new JsonObject
        {
            ["id"] = NewId("cus"), ["object"] = "customer", ["created"] = Now, ["email"] = form.GetValueOrDefault("email"),
            ["name"] = form.GetValueOrDefault("name"), ["metadata"] = Metadata(form, "metadata"), ["livemode"] = false, ["balance"] = 0,
            ["delinquent"] = false,
        };
        _customers[customer["id"]!.GetValue<string>()] = customer;
        return (200, customer.ToJsonString());
    }

    private (int, string) CreateSession(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("mode") is not ("subscription" or "payment"))
        {
            return Error(400, "invalid_request_error", "parameter_invalid_string", "mode", "This fake sells subscriptions and one-time payments.");
        }

        var customer = form.GetValueOrDefault("customer") ?? "";
        if (!_customers.ContainsKey(customer))
        {
            return Error(400, "invalid_request_error", "resource_missing", "customer", $"No such customer: '{customer}'");
        }

        var (price, refused) = form.ContainsKey("line_items[0][price_data][currency]") ? InlinePrice(form) : (form.GetValueOrDefault("line_items[0][price]") ?? "", null);
        if (refused is { } inlineError)
        {
            return inlineError;
        }

        if (!_prices.ContainsKey(price))
        {
            return Error(400, "invalid_request_error", "resource_missing", "line_items[0][price]", $"No such price: '{price}'");
        }

        foreach (var required in new[] { "success_url", "cancel_url" })
        {
            if (string.IsNullOrEmpty(form.GetValueOrDefault(required)))
            {
                return Error(400, "invalid_request_error", "parameter_missing", required, $"Missing required param: {required}.");
            }
        }

        var id = "cs_test_" + Guid.NewGuid().ToString("N");
        var session = new JsonObject
        {
            ["id"] = id, ["object"] = "checkout.session", ["mode"] = form["mode"], ["status"] = "open", ["payment_status"] = "unpaid",
            ["customer"] = customer, ["subscription"] = null, ["invoice"] = null, ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
            ["metadata"] = Metadata(form, "metadata"), ["success_url"] = form["success_url"], ["cancel_url"] = form["cancel_url"],
            ["url"] = $"https://checkout.stripe.com/c/pay/{id}", ["created"] = Now, ["expires_at"] = Now + 86_400, ["livemode"] = false,
        };
        var trialDays = form.TryGetValue("subscription_data[trial_period_days]", out var trial) ? int.Parse(trial, CultureInfo.InvariantCulture) : 0;
        _checkouts[id] = (price, trialDays, Metadata(form, "subscription_data[metadata]"));
        _sessions[id] = session;
        return (200, session.ToJsonString());
    }

    /// <summary>
    /// line_items[0][price_data] as Stripe documents it: a lowercase currency, a unit_amount, recurring[interval] in
    /// subscription mode, and a product (an existing one here). Stripe makes an inactive price of it; so does the fake.
    /// </summary>
    private (string Price, (int, string)? Error) InlinePrice(Dictionary<string, string> form)
    {
        const string prefix = "line_items[0][price_data]";
        var currency = form[prefix + "[currency]"];
        if (currency != currency.ToLowerInvariant() || currency.Length != 3)
        {
            return ("", Error(400, "invalid_request_error", "parameter_invalid_string", prefix + "[currency]", $"Invalid currency: {currency}."));
        }

        if (!long.TryParse(form.GetValueOrDefault(prefix + "[unit_amount]"), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return ("", Error(400, "invalid_request_error", "parameter_missing", prefix + "[unit_amount]", "Missing required param: unit_amount."));
        }

        var interval = form.GetValueOrDefault(prefix + "[recurring][interval]");
        if (form.GetValueOrDefault("mode") == "subscription" && interval is not ("month" or "year"))
        {
            return ("", Error(400, "invalid_request_error", "parameter_missing", prefix + "[recurring][interval]",
                "In subscription mode, price_data needs recurring[interval]."));
        }

        var product = form.GetValueOrDefault(prefix + "[product]") ?? "";
        if (!_prices.Keys.Any(p => Product(p) == product))
        {
            return ("", Error(400, "invalid_request_error", "resource_missing", prefix + "[product]", $"No such product: '{product}'"));
        }

        var id = NewId("price");
        _prices[id] = (amount, interval ?? "month");
        return (id, null);
    }

    private (int, string) RetrievePrice(string id) => _prices.TryGetValue(id, out var price)
        ? (200, new JsonObject
        {
            ["id"] = id, ["object"] = "price", ["active"] = true, ["currency"] = "usd", ["type"] = "recurring", ["unit_amount"] = price.Amount,
            ["recurring"] = new JsonObject { ["interval"] = price.Interval, ["interval_count"] = 1 }, ["product"] = Product(id), ["livemode"] = false,
        }.ToJsonString())
        : Error(404, "invalid_request_error", "resource_missing", "id", $"No such price: '{id}'");

    /// <summary>Every catalog price the fake sells is its own product.</summary>
    public static string Product(string price) => "prod_" + price.Replace("price_", "", StringComparison.Ordinal);

    private (int, string) CreatePortalSession(Dictionary<string, string> form)
    {
        var customer = form.GetValueOrDefault("customer") ?? "";
        if (!_customers.ContainsKey(customer))
        {
            return Error(400, "invalid_request_error", "resource_missing", "customer", $"No such customer: '{customer}'");
        }

        return (200, new JsonObject
        {
            ["id"] = NewId("bps"), ["object"] = "billing_portal.session", ["customer"] = customer, ["return_url"] = form.GetValueOrDefault("return_url"),
            ["url"] = $"https://billing.stripe.com/p/session/test_{Guid.NewGuid():N}", ["created"] = Now, ["livemode"] = false,
        }.ToJsonString());
    }

    private JsonObject NewSubscription(string customer, string price, int trialDays, JsonObject metadata)
    {
        var (amount, interval) = _prices[price];
        var start = Clock.GetUtcNow();
        var end = trialDays > 0 ? start.AddDays(trialDays) : interval == "year" ? start.AddYears(1) : start.AddMonths(1);
        var id = NewId("sub");
        return new JsonObject
        {
            ["id"] = id, ["object"] = "subscription", ["customer"] = customer, ["status"] = trialDays > 0 ? "trialing" : "active",
            ["billing_cycle_anchor"] = trialDays > 0 ? end.ToUnixTimeSeconds() : start.ToUnixTimeSeconds(), ["cancel_at"] = null,
            ["cancel_at_period_end"] = false, ["canceled_at"] = null, ["collection_method"] = "charge_automatically",
            ["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = null },
            ["created"] = start.ToUnixTimeSeconds(), ["currency"] = "usd", ["ended_at"] = null, ["livemode"] = false, ["metadata"] = metadata,
            ["start_date"] = start.ToUnixTimeSeconds(),
            ["trial_start"] = trialDays > 0 ? start.ToUnixTimeSeconds() : null, ["trial_end"] = trialDays > 0 ? end.ToUnixTimeSeconds() : null,
            ["items"] = new JsonObject
            {
                ["object"] = "list", ["has_more"] = false, ["url"] = $"/v1/subscription_items?subscription={id}",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = NewId("si"), ["object"] = "subscription_item", ["created"] = start.ToUnixTimeSeconds(),
                    ["current_period_start"] = start.ToUnixTimeSeconds(), ["current_period_end"] = end.ToUnixTimeSeconds(),
                    ["metadata"] = new JsonObject(),
                    ["price"] = new JsonObject
                    {
                        ["id"] = price, ["object"] = "price", ["currency"] = "usd", ["type"] = "recurring", ["unit_amount"] = amount,
                        ["recurring"] = new JsonObject { ["interval"] = interval, ["interval_count"] = 1 },
                    },
                    ["quantity"] = 1, ["subscription"] = id,
                }),
            },
        };
    }

    /// <summary>metadata[k]=v pairs under <paramref name="prefix"/>, as the object's metadata.</summary>
    private static JsonObject Metadata(Dictionary<string, string> form, string prefix)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in form.Where(p => p.Key.StartsWith(prefix + "[", StringComparison.Ordinal) && p.Key.EndsWith(']')))
        {
            var name = key[(prefix.Length + 1)..^1];
            if (!name.Contains('[', StringComparison.Ordinal))
            {
                metadata[name] = value;
            }
        }

        return metadata;
    }
}
