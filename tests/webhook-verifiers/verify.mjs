// Verifies recorded Tollgate webhook deliveries with the libraries a receiver would use:
// stripe's webhooks.constructEvent for the "tollgate" scheme, standardwebhooks' Webhook.verify for the "standard" one.
// Input (a file named by the first argument): [{scheme, secret, body, headers, received_at_ms}]. Output on stdout:
// [{verified, type, id, error}], one per delivery, in order. Each check runs as of received_at_ms, the server's
// (test) clock when the delivery arrived, since both libraries refuse signatures older than five minutes.
import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { Webhook } from "standardwebhooks";

const stripe = new Stripe("sk_test_verifier_only");
const deliveries = JSON.parse(readFileSync(process.argv[2], "utf8"));

function verify({ scheme, secret, body, headers, received_at_ms: receivedAt }) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (scheme === "tollgate") {
    const event = stripe.webhooks.constructEvent(body, lower["tollgate-signature"], secret, 300, undefined, receivedAt);
    return { type: event.type, id: event.id };
  }

  const realNow = Date.now;
  Date.now = () => receivedAt;
  try {
    const event = new Webhook(secret).verify(body, lower);
    return { type: event.type, id: event.id };
  } finally {
    Date.now = realNow;
  }
}

const results = deliveries.map((delivery) => {
  try {
    return { verified: true, ...verify(delivery), error: null };
  } catch (e) {
    return { verified: false, type: null, id: null, error: String(e.message ?? e).split("\n")[0] };
  }
});
process.stdout.write(JSON.stringify(results));
