import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { signWebhook, verifyWebhook, webhooks, WebhookSignatureError, Tollgate } from "../dist/index.js";
import { admin, client, uniqueId } from "./helpers.js";

const secret = "whsec_test_0123456789abcdef";
const body = JSON.stringify({ id: "evt_1", type: "invoice.paid", created_at: "2026-03-10T12:00:00Z", data: { id: "inv_1" } });

test("a body signed with the secret verifies and parses the event", async () => {
  const header = await signWebhook(body, secret);
  const event = await verifyWebhook(body, header, secret);
  assert.deepEqual(event, { id: "evt_1", type: "invoice.paid", createdAt: "2026-03-10T12:00:00Z", data: { id: "inv_1" } });
  assert.equal((await new Tollgate({ apiKey: "x" }).webhooks.verify(new TextEncoder().encode(body), header, secret)).id, "evt_1");
});

test("the signature is the hex HMAC-SHA256 of \"t.body\", as openssl computes it", async () => {
  const header = await webhooks.sign("{}", "whsec_abc", new Date(1773144000 * 1000));
  // printf '%s' '1773144000.{}' | openssl dgst -sha256 -hmac whsec_abc
  assert.equal(header, "t=1773144000,v1=" + (await import("node:crypto")).createHmac("sha256", "whsec_abc").update("1773144000.{}").digest("hex"));
});

const refusals = [
  ["a missing header", async () => verifyWebhook(body, undefined, secret), /missing/],
  ["a header without v1", async () => verifyWebhook(body, `t=${Math.floor(Date.now() / 1000)}`, secret), /no timestamp or no v1/],
  ["a changed body", async () => verifyWebhook(body.replace("inv_1", "inv_2"), await signWebhook(body, secret), secret), /No v1 signature matches/],
  ["another secret", async () => verifyWebhook(body, await signWebhook(body, "whsec_other_secret_1234"), secret), /No v1 signature matches/],
  ["a signature older than the tolerance", async () => verifyWebhook(body, await signWebhook(body, secret, new Date(Date.now() - 301_000)), secret), /outside the tolerance/],
  // Web Crypto threw a DOMException for a zero-length key (`process.env.SECRET ?? ""`).
  ["an empty secret", async () => verifyWebhook(body, await signWebhook(body, "x"), ""), /secret is empty/],
  ["a signed body that is not JSON", async () => verifyWebhook("not json", await signWebhook("not json", secret), secret), /not JSON/],
  ["a signed body that is no event", async () => verifyWebhook("{}", await signWebhook("{}", secret), secret), /not a Tollgate event/],
];
for (const [what, attempt, message] of refusals) {
  test(`${what} is refused with WebhookSignatureError`, async () => {
    const error = await attempt().catch((e) => e);
    assert.ok(error instanceof WebhookSignatureError, String(error));
    assert.equal(error.name, "WebhookSignatureError");
    assert.match(error.message, message);
  });
}

test("a header with several v1 values verifies when any one matches (secret rotation)", async () => {
  const good = await signWebhook(body, secret);
  const [t, v1] = good.split(",");
  assert.equal((await verifyWebhook(body, `${t},v1=${"0".repeat(64)},${v1}`, secret)).id, "evt_1");
});

test("a delivery from the real server verifies with the endpoint's secret", async () => {
  const received = [];
  let arrived;
  const delivered = new Promise((resolve) => { arrived = resolve; });
  const receiver = createServer(async (req, res) => {
    let raw = "";
    for await (const part of req) raw += part;
    received.push({ raw, header: req.headers["tollgate-signature"] });
    res.writeHead(204).end();
    arrived();
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const endpoint = await admin("POST", "/v1/admin/webhook-endpoints",
    { url: `http://127.0.0.1:${receiver.address().port}/hooks`, events: ["customer.created"] });
  try {
    const tg = await client();
    const customer = uniqueId("hook");
    await tg.customers.upsert(customer, { email: `${customer}@example.com` });
    await delivered;
    const { raw, header } = received[0];
    const event = await tg.webhooks.verify(raw, header, endpoint.secret);
    assert.equal(event.type, "customer.created");
    assert.match(event.id, /^evt_/);
    assert.equal(event.data.id, customer);
    await assert.rejects(tg.webhooks.verify(raw, header, "whsec_not_the_secret_000"), WebhookSignatureError);
  } finally {
    await admin("DELETE", `/v1/admin/webhook-endpoints/${endpoint.id}`);
    receiver.close();
  }
});
