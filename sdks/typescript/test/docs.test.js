// Runs every ```js block of docs/sdk-typescript.md as its own Node process against the real server, with OpenAI and
// Anthropic calls going to the fake upstream. Customer ids get a per-run suffix, so the page can run twice on one server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { randomUUID } from "node:crypto";
import { adminKey, baseUrl, secretKey } from "./helpers.js";
import { startFakeLlm } from "./fake-llm.js";

const page = await readFile(new URL("../../../docs/sdk-typescript.md", import.meta.url), "utf8");
const blocks = [...page.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
// Blocks are written inside the package, so `import "@tollgate/sdk"` resolves to it by name, as in an app.
const folder = new URL("./.docs/", import.meta.url);
const run = randomUUID().slice(0, 6);

let upstream;
before(async () => { upstream = await startFakeLlm(); await mkdir(folder, { recursive: true }); });
after(async () => { await upstream.close(); await rm(folder, { recursive: true, force: true }); });

test("the page has code examples", () => {
  assert.ok(blocks.length >= 10, `found ${blocks.length}`);
});

blocks.forEach((source, index) => {
  const firstLine = source.split("\n").find((l) => l.trim() && !l.startsWith("import")) ?? "";
  test(`docs example ${index + 1} runs: ${firstLine.trim().slice(0, 70)}`, async () => {
    const file = new URL(`block-${index + 1}.mjs`, folder);
    await writeFile(file, source.replace(/\b(user-\d+|order-\d+)/g, `$1-${run}`));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [file.pathname], {
      env: {
        ...process.env, TOLLGATE_API_KEY: await secretKey(), TOLLGATE_ADMIN_KEY: adminKey, TOLLGATE_BASE_URL: baseUrl,
        OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${upstream.url}/v1`, ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: upstream.url,
      },
      timeout: 60_000,
    });
    assert.equal(stderr, "");
    if (process.env.SHOW_DOCS_OUTPUT) console.log(`--- block ${index + 1}\n${stdout}`);
  });
});
