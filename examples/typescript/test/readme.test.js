// Runs the README's commands in a clean copy of this example and of the SDK it depends on (no node_modules, no dist):
// `npm install` must build the SDK and leave the tracked lockfile as it is, and `npm start` must serve the app.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { baseUrl, secretKey, uniqueId } from "../../../sdks/typescript/test/helpers.js";
import { startFakeLlm } from "../../../sdks/typescript/test/fake-llm.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const built = new Set(["node_modules", "dist", ".docs"]);
const children = [];
let scratch;
after(async () => {
  for (const child of children) {
    try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
  }
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs a command to its end within `ms`; resolves with its output, rejects with it (and the reason) otherwise. */
function run(command, args, options, ms) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    const timer = setTimeout(() => { process.kill(-child.pid, "SIGKILL"); reject(new Error(`${command} ${args.join(" ")} ran past ${ms} ms:\n${output}`)); }, ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`));
    });
  });
}

/** Starts a long-running command and resolves once its output matches `ready`, within `ms`. */
function start(command, args, options, ready, ms) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let output = "";
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(" ")} was not ready within ${ms} ms:\n${output}`)), ms);
    const read = (d) => {
      output += d;
      if (ready.test(output)) { clearTimeout(timer); resolve(child); }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`)); });
  });
}

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

test("the README's npm install && npm start work from a clean copy and leave the lockfile unchanged", async () => {
  scratch = await mkdtemp(join(tmpdir(), "tollgate-example-"));
  const copy = (path) => cp(join(repo, path), join(scratch, path), { recursive: true, filter: (source) => !built.has(basename(source)) });
  await copy("sdks/typescript");
  await copy("examples/typescript");
  const example = join(scratch, "examples/typescript");
  // The same packages as the README's install; only the npm cache is preferred and the notices are quiet.
  const env = { ...process.env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };

  await run("npm", ["install"], { cwd: example, env }, 300_000);
  const tracked = await readFile(join(repo, "examples/typescript/package-lock.json"), "utf8");
  assert.equal(await readFile(join(example, "package-lock.json"), "utf8"), tracked, "npm install rewrote the tracked lockfile");

  const upstream = await startFakeLlm();
  try {
    const port = await freePort();
    await start("npm", ["start"], {
      cwd: example,
      env: { ...env, PORT: String(port), TOLLGATE_API_KEY: await secretKey(), TOLLGATE_BASE_URL: baseUrl,
        OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${upstream.url}/v1` },
    }, /listening on/, 60_000);

    const user = uniqueId("readme");
    const call = (path, body) => fetch(`http://127.0.0.1:${port}${path}`, {
      method: "POST", headers: { "content-type": "application/json", "x-user-id": user }, body: JSON.stringify(body),
    });
    assert.equal((await call("/signup", { id: user, email: `${user}@example.com` })).status, 201);
    const cv = await call("/cv/generate", { name: "Ada" });
    assert.equal(cv.status, 200);
    assert.deepEqual(await cv.json(), { cv: "Hello there." });
  } finally {
    await upstream.close();
  }
});
