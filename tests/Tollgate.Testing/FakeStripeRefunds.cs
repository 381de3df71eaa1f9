using System.Globalization;
using System.Text.Json.Nodes;

namespace Tollgate.Testing;

/// <summary>Invoice payments and refunds: every invoice reads as paid by the PaymentIntent <c>pi_for_{invoice}</c>, which refunds draw on.</summary>
public sealed partial class FakeStripe
{
    private readonly List<JsonObject> _refunds = [];
    private readonly Queue<string> _refundStatuses = new();

    /// <summary>The refunds made, oldest first.</summary>
    public IReadOnlyList<JsonObject> Refunds
    {
        get
        {
            lock (_lock)
            {
                return [.. _refunds.Select(r => (JsonObject)r.DeepClone())];
            }
        }
    }

    /// <summary>The next refunds made get these statuses (pending, requires_action, failed, canceled), then succeeded.</summary>
    public void NextRefundStatuses(params string[] statuses)
    {
        lock (_lock)
        {
            foreach (var status in statuses)
            {
                _refundStatuses.Enqueue(status);
            }
        }
    }

    /// <summary>Moves a refund on, as Stripe does when a bank answers.</summary>
    public void SetRefundStatus(string refundId, string status)
    {
        lock (_lock)
        {
            _refunds.Single(r => r["id"]!.GetValue<string>() == refundId)["status"] = status;
        }
    }

    /// <summary>Forgets every idempotency key, as Stripe does after 24 hours.</summary>
    public void ForgetIdempotencyKeys()
    {
        lock (_lock)
        {
            _idempotency.Clear();
        }
    }

    public static string PaymentIntentOf(string stripeInvoiceId) => $"pi_for_{stripeInvoiceId}";

    private (int, string) ListInvoicePayments(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("invoice") is not { } invoice)
        {
            return Error(400, "invalid_request_error", "parameter_missing", "invoice", "This fake lists invoice payments by invoice only.");
        }

        var payment = new JsonObject
        {
            ["id"] = NewId("inpay"), ["object"] = "invoice_payment", ["invoice"] = invoice, ["status"] = "paid", ["is_default"] = true,
            ["payment"] = new JsonObject { ["type"] = "payment_intent", ["payment_intent"] = PaymentIntentOf(invoice) },
        };
        return (200, new JsonObject { ["object"] = "list", ["data"] = new JsonArray(payment), ["has_more"] = false }.ToJsonString());
    }

    private (int, string) CreateRefund(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("payment_intent") is not { } intent || !intent.StartsWith("pi_", StringComparison.Ordinal))
        {
            return Error(400, "invalid_request_error", "parameter_missing", "payment_intent", "Must provide payment_intent or charge.");
        }

        if (!long.TryParse(form.GetValueOrDefault("amount"), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return Error(400, "invalid_request_error", "parameter_invalid_integer", "amount", "Invalid positive integer");
        }

        var refund = new JsonObject
        {
            ["id"] = NewId("re"), ["object"] = "refund", ["amount"] = amount, ["currency"] = "usd", ["payment_intent"] = intent,
            ["reason"] = form.GetValueOrDefault("reason"), ["status"] = _refundStatuses.TryDequeue(out var status) ? status : "succeeded", ["metadata"] = Metadata(form, "metadata"), ["created"] = Now,
        };
        _refunds.Add(refund);
        return (200, refund.ToJsonString());
    }

    private (int, string) ListRefunds(Dictionary<string, string> form)
    {
        var intent = form.GetValueOrDefault("payment_intent");
        var data = new JsonArray([.. _refunds.Where(r => intent is null || r["payment_intent"]!.GetValue<string>() == intent).Reverse()
            .Select(r => r.DeepClone())]);
        return (200, new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false }.ToJsonString());
    }

    private (int, string) RetrieveRefund(string id) =>
        _refunds.FirstOrDefault(r => r["id"]!.GetValue<string>() == id) is { } refund
            ? (200, refund.ToJsonString())
            : Error(404, "invalid_request_error", "resource_missing", "id", $"No such refund: '{id}'");
}
