namespace Tollgate.Testing;

/// <summary>One-time payments: a payment-mode session the customer pays, with no subscription.</summary>
public sealed partial class FakeStripe
{
    /// <summary>The customer pays a payment-mode session on the hosted page; answers the completed session.</summary>
    public System.Text.Json.Nodes.JsonObject CompletePayment(string sessionId)
    {
        lock (_lock)
        {
            var session = _sessions[sessionId];
            session["status"] = "complete";
            session["payment_status"] = "paid";
            session["payment_intent"] = "pi_test_" + Guid.NewGuid().ToString("N");
            return (System.Text.Json.Nodes.JsonObject)session.DeepClone();
        }
    }
}
