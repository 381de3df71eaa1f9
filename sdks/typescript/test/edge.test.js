import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";

// Edge runtimes have fetch and Web Crypto but no Node modules: the built package may import only its own files.
test("the built package imports nothing but its own files, so it runs on edge runtimes", async () => {
  const dist = new URL("../dist/", import.meta.url);
  // dist/cjs is the CommonJS build, for Node's require(); edge runtimes and bundlers load the ESM build.
  const files = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith(".js") && !f.startsWith("cjs/"));
  assert.ok(files.length > 10);
  for (const file of files) {
    const source = await readFile(new URL(file, dist), "utf8");
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) {
      assert.ok(specifier.startsWith("./") || specifier.startsWith("../"), `${file} imports ${specifier}`);
    }
    assert.doesNotMatch(source, /\brequire\(/, `${file} calls require`);
  }
});

test("the only reach for a Node module is Node 18's Web Crypto, behind a check for the global one", async () => {
  const ids = await readFile(new URL("../dist/core/ids.js", import.meta.url), "utf8");
  assert.match(ids, /globalThis\.crypto/);
  const all = await readdir(new URL("../dist/", import.meta.url), { recursive: true });
  for (const file of all.filter((f) => f.endsWith(".js") && f !== "core/ids.js" && !f.startsWith("cjs/"))) {
    assert.doesNotMatch(await readFile(new URL(`../dist/${file}`, import.meta.url), "utf8"), /node:/, file);
  }
});

test("ids take the global crypto.getRandomValues without crypto.subtle (a page on plain http), and name no node:crypto a bundler would fold", async () => {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  // A child process whose global crypto is what a non-secure browser origin has: getRandomValues, no subtle.
  const script = `
    let calls = 0;
    const real = globalThis.crypto;
    Object.defineProperty(globalThis, "crypto", { configurable: true, value: { getRandomValues: (a) => { calls++; return real.getRandomValues(a); } } });
    const { randomId } = await import(${JSON.stringify(new URL("../dist/core/ids.js", import.meta.url).href)});
    const id = await randomId("idem_");
    console.log(JSON.stringify({ id, calls }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
  const { id, calls } = JSON.parse(stdout);
  assert.match(id, /^idem_[0-9a-f]{32}$/);
  assert.equal(calls, 1);
  // Vite (rolldown) folds a constant module name and then externalizes node:crypto for the browser, with a warning.
  assert.doesNotMatch(await readFile(new URL("../dist/core/ids.js", import.meta.url), "utf8"), /["'`]node:crypto["'`]/);
});
