// Compiled (not run) by run-tests.sh as a CommonJS TypeScript project (module node16, "type": "commonjs"): its imports
// become require() calls, which resolve through the package's "require" condition to dist/cjs (TS1479 without it).
import { Tollgate, QuotaExceededError } from "@tollgate/sdk";
import { requireQuota } from "@tollgate/sdk/express";
import { withQuota } from "@tollgate/sdk/next";

const tg = new Tollgate({ apiKey: process.env.TOLLGATE_API_KEY });
export const surface = [tg, QuotaExceededError, requireQuota("cv_generate", { client: tg, customer: () => "u1" }), withQuota];
