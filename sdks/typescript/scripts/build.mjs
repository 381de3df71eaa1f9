// Builds dist/ (ESM, what `import` and edge runtimes load) and dist/cjs/ (CommonJS, what `require` loads), and marks
// dist/cjs as CommonJS for Node and TypeScript, since this package's own "type" is "module".
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
for (const config of ["tsconfig.json", "tsconfig.cjs.json"]) {
  const result = spawnSync(process.execPath, [tsc, "-p", config], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`@tollgate/sdk build: tsc -p ${config} failed`);
    process.exit(1);
  }
}
mkdirSync(join(root, "dist", "cjs"), { recursive: true });
writeFileSync(join(root, "dist", "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
