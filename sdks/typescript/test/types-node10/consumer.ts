// Compiled (not run) by run-tests.sh with moduleResolution node10, as older TypeScript setups resolve packages: the
// subpaths @tollgate/sdk/express and /next must have types there too (package.json's typesVersions gives them).
// run-tests.sh links node_modules/@tollgate/sdk here to the package, as an install would.
import { Tollgate, type Decision } from "@tollgate/sdk";
import { requireQuota, type GateOptions } from "@tollgate/sdk/express";
import { withQuota } from "@tollgate/sdk/next";

const tg = new Tollgate({ apiKey: "tg_sk_x" });
const options: GateOptions<{ headers: Record<string, string | string[] | undefined> }> = {
  client: tg, customer: (req) => String(req.headers["x-user-id"]), autoCreateCustomers: true,
};
export const middleware = requireQuota("cv_generate", options);
export const POST = withQuota(async () => new Response("ok"), { client: tg, feature: "cv_generate", customer: () => "u1" });
export async function decide(): Promise<Decision> {
  return tg.entitlements.check({ customer: "u1", feature: "cv_generate" });
}
