import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { baseUrl, secretKey, uniqueId } from "./helpers.js";

// A CommonJS app require()s the package: the "require" condition gives it dist/cjs, a CommonJS build of the same code.
const require = createRequire(import.meta.url);

test("a CommonJS app requires the client and the gates, and the client works against the server", async () => {
  assert.match(require.resolve("@tollgate/sdk"), /[/\\]dist[/\\]cjs[/\\]index\.js$/);
  const { Tollgate, QuotaExceededError } = require("@tollgate/sdk");
  const { requireQuota } = require("@tollgate/sdk/express");
  const { withQuota } = require("@tollgate/sdk/next");
  assert.equal(typeof requireQuota, "function");
  assert.equal(typeof withQuota, "function");

  const tg = new Tollgate({ apiKey: await secretKey(), baseUrl });
  const customer = uniqueId("cjs");
  await tg.customers.upsert(customer, {});
  assert.equal((await tg.entitlements.consume({ customer, feature: "cv_generate", amount: 3 })).used, 3);
  const error = await tg.entitlements.consume({ customer, feature: "cv_generate" }).catch((e) => e);
  assert.ok(error instanceof QuotaExceededError);
  assert.equal(error.name, "QuotaExceededError");
});
