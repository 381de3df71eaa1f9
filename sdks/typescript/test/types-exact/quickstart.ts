// Compiled (not run) by run-tests.sh with exactOptionalPropertyTypes, as strict apps set it: the quick start passes
// environment variables (string | undefined) straight into the options, which every optional field must accept.
import { Tollgate, type CaptureSettings } from "@tollgate/sdk";
import { requireQuota } from "@tollgate/sdk/express";
import { withQuota } from "@tollgate/sdk/next";

const fromEnv = (name: string): string | undefined => process.env[name];
const tg = new Tollgate({ apiKey: process.env.TOLLGATE_API_KEY, baseUrl: process.env.TOLLGATE_BASE_URL, timeout: undefined });
const capture: CaptureSettings = { logger: undefined, exitTimeoutMs: undefined };
const maybeKey: string | undefined = fromEnv("IDEMPOTENCY_KEY");

export async function quickStart(): Promise<void> {
  await tg.customers.upsert("user-42", { email: fromEnv("EMAIL"), name: undefined });
  await tg.entitlements.consume({ customer: "user-42", feature: "cv_generate", idempotencyKey: maybeKey }, { signal: undefined });
  await tg.grants.create("user-42", { feature: "api_calls", amount: 5, reason: fromEnv("REASON"), idempotencyKey: maybeKey });
  await tg.subscriptions.create({ customer: "user-42", plan: "pro", trialDays: undefined });
  await tg.pricing.plans({ currency: fromEnv("CURRENCY") });
  void capture;
}

export const gated = requireQuota("cv_generate", { client: tg, customer: () => fromEnv("USER"), timeoutMs: undefined });
export const POST = withQuota(() => new Response("ok"), { feature: "cv_generate", customer: () => "u1", onError: undefined });
