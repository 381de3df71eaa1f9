// npm runs `prepare` after `npm install` here and when an app installs this folder as a `file:` dependency (as
// examples/typescript does). In the second case the SDK's dev dependencies are not installed, so there is no compiler:
// install them from this folder's own lockfile first, then build dist/ so the app's import resolves.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The outer npm's settings (its prefix, its lockfile choices) must not leak into the nested one.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`@tollgate/sdk prepare: ${command} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
if (!existsSync(tsc)) run(npm, ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]);
run(process.execPath, [join(root, "scripts", "build.mjs")]);
