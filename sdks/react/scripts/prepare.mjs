// npm runs `prepare` after `npm install` here and when an app installs this folder (`npm install
// /path/to/tollgate/sdks/react`, as docs/sdk-react.md says). In the second case the dev dependencies are not installed,
// so there is no compiler, no React types and no built @tollgate/sdk to type against: install them from this folder's
// own lockfile first (scripts off, so this script does not run itself again), build the SDK as its own prepare does,
// then build dist/ so the app's import resolves.
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
    console.error(`@tollgate/react prepare: ${command} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const sdk = join(root, "node_modules", "@tollgate", "sdk");
if (!existsSync(tsc) || !existsSync(join(root, "node_modules", "@types", "react"))) {
  run(npm, ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]);
}
if (!existsSync(join(sdk, "dist", "index.d.ts"))) run(process.execPath, [join(sdk, "scripts", "prepare.mjs")]);
run(process.execPath, [tsc, "-p", "tsconfig.json"]);
run(process.execPath, [join(root, "scripts", "copy-assets.mjs")]);
