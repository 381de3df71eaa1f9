// The stylesheet is plain CSS (custom properties, no preprocessor): copied next to the compiled modules as it is.
import { copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
copyFileSync(join(root, "src", "styles.css"), join(root, "dist", "styles.css"));
