// Compiled (not run) by run-tests.sh: a TypeScript app's use of the published declarations, so a change that breaks
// users' types fails the build. It imports the package by name, as an app does.
import express from "express";
import OpenAI from "openai";
import {
  Tollgate, QuotaExceededError, BudgetExceededError, RateLimitedError, TollgateError, gate, webhooks,
  type CancelReason, type Decision, type Customer, type Page, type Subscription, type WebhookEvent,
} from "@tollgate/sdk";
import { requireQuota, setQuotaUsage } from "@tollgate/sdk/express";
import { withQuota } from "@tollgate/sdk/next";

const tg = new Tollgate({ apiKey: "tg_sk_x", baseUrl: "http://localhost:5080", maxRetries: 3 });

export async function surface(): Promise<void> {
  const customer: Customer = await tg.customers.upsert("u1", { email: "u1@example.com", metadata: { team: "a" } });
  const decision: Decision = await tg.entitlements.consume({
    customer: customer.id, feature: "cv_generate", amount: 1, metadata: { endpoint: "/cv" },
  });
  const remaining: number | null = decision.remaining;
  const resetsAt: string | null = decision.resetsAt; // null for a lifetime allowance (reset: never)
  const windowStart: string | null = decision.windowStart;
  const window = (await tg.usage.get("u1")).features["cv_generate"]!;
  const windowEnd: string | null = window.resetsAt ?? (await tg.entitlements.get("u1")).features[0]!.resetsAt;
  await tg.events.track([{ customer: "u1", feature: "api_calls", amount: 3, metadata: { source: "import" } }]);
  const reason: CancelReason = "too_expensive";
  const canceled: Subscription = (await tg.subscriptions.cancel("sub_1", { reason, comment: "Too much" })).subscription;
  const kept: [CancelReason | null, string | null] = [canceled.cancelReason, canceled.cancelComment];
  const preview = await tg.subscriptions.preview("sub_1", { plan: "pro", effective: "immediate", coupon: "LAUNCH" });
  const deal: Subscription = await tg.subscriptions.create({ customer: "u1", plan: "pro", priceOverrideCents: 999, priceOverrideNote: "Friends" });
  const discounted: [number, number] = [preview.amountCents, preview.discountCents]; // the discount is already taken off
  const lineId: string | null = preview.lines[0]!.id; // null on a preview's lines
  const coupon = await tg.coupons.create({ id: "EUR5", name: "Five off", amountOffCents: 500, currency: "USD", currencyOptions: { EUR: { amountOffCents: 400 } } });
  const eurOff: number | undefined = coupon.currencyOptions?.["EUR"]?.amountOffCents;
  const experiment: string | undefined = (await tg.pricing.plans())[0]!.experiment?.variant; // null outside an experiment
  void [lineId, eurOff, experiment, deal];
  const grant = await tg.grants.create("u1", { feature: "api_calls", amount: 50, reason: "goodwill", idempotencyKey: "ticket-1" });
  void [windowStart, window.windowStart, windowEnd, kept, discounted, grant.id];
  const reservation = await tg.entitlements.reserve({ customer: "u1", feature: "api_calls", amount: 10, ttlSeconds: 60 });
  const settled: Decision = await reservation.commit(4);
  await reservation.release({ signal: AbortSignal.timeout(1000) });
  const subscriptions: Page<Subscription> = await tg.subscriptions.list({ customer: "u1" });
  for await (const s of subscriptions) s.status satisfies "trialing" | "active" | "past_due" | "canceled" | "incomplete";
  const invoices = await tg.invoices.list({ customer: "u1" });
  const balance: Record<string, number> | undefined = invoices.balanceCents;
  const used: number = (await tg.usage.get("u1")).features["cv_generate"]!.used;
  const cost: number = (await tg.llm.logUsage({ customer: "u1", model: "gpt-4o", inputTokens: 10 })).costNanoUsd;
  const session: string = (await tg.checkout.createSession({ customer: "u1", plan: "pro", successUrl: "https://a/", cancelUrl: "https://a/" })).checkoutUrl;
  void [remaining, resetsAt, settled, balance, used, cost, session];

  try {
    await tg.entitlements.consume({ customer: "u1", feature: "cv_generate" });
  } catch (error) {
    if (error instanceof BudgetExceededError) { const spent: number | undefined = error.budgetSpentUsd; void spent; }
    if (error instanceof RateLimitedError) {
      const at: Date | undefined = error.resetAt;
      const window: [string | undefined, string | undefined] = [error.per, error.scope];
      const left: string | null = error.headers.get("ratelimit-remaining"); // a denial always has its answer's headers
      void [at, error.limit, window, left];
    }
    if (error instanceof QuotaExceededError) { const at: Date | undefined = error.resetsAt; const after: number | undefined = error.retryAfter; void [at, after]; }
    if (error instanceof TollgateError) { const code: string = error.error; const status: number | undefined = error.status; void [code, status]; }
  }

  const event: WebhookEvent = await webhooks.verify("{}", "t=1,v1=00", "whsec_x", { tolerance: 600 });
  void event;
}

// The Express middleware is a RequestHandler; the customer function sees Express's own Request type.
const app = express();
app.post("/cv", requireQuota("cv_generate", { client: tg, customer: (req: express.Request) => req.get("x-user-id") }), (req, res) => {
  setQuotaUsage(req, "cv_generate", 1);
  res.json({ ok: true });
});

// A Next.js route handler.
export const POST = withQuota(async (req: Request) => Response.json({ user: req.headers.get("x-user-id") }), {
  client: tg, feature: "cv_generate", customer: (req) => req.headers.get("x-user-id"), onError: "open", timeoutMs: 2000,
  onDenied: (denial, error) => ({ ...denial, body: { message: `Limit ${error?.limit ?? "?"} reached` } }),
});

// A test calls the route with a Request alone, as the docs do; Next passes its context as the second argument.
export const tested: Promise<Response> = POST(new Request("http://localhost/cv", { method: "POST" }));

// The capture fetch is what the openai package's fetch option takes.
export const openai = new OpenAI({ apiKey: "sk", fetch: tg.llm.fetch({ customer: () => "u1", feature: "chat" }) });

// Another framework's gate. A caller's Idempotency-Key is no longer an argument: each run of the handler is one reservation.
export async function otherFramework(req: Request): Promise<Response> {
  const outcome = await gate("cv_generate", { client: tg, customer: () => "u1", timeoutMs: 1000 }, req);
  // @ts-expect-error the fourth argument (the caller's Idempotency-Key) was removed
  void gate("cv_generate", { client: tg, customer: () => "u1" }, req, "key");
  if (!outcome.allowed) return new Response(JSON.stringify(outcome.denial.body), outcome.denial);
  await outcome.settle(true);
  return new Response("ok");
}
