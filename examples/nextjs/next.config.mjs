import { fileURLToPath } from "node:url";

// The packages are file: links into this repository (sdks/react, sdks/typescript): the bundler may read the whole repo.
const repo = fileURLToPath(new URL("../..", import.meta.url));

export default { turbopack: { root: repo }, outputFileTracingRoot: repo };
