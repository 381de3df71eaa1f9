// The example builds @tollgate/react and @tollgate/sdk from their sources in this repository (aliases below), so it
// needs no separate build of either; an app installs the packages and imports the same names.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The app's backend, for `npm run dev` only: POST /api/session mints a customer session with the secret key, which
 * stays on the server (TOLLGATE_URL, TOLLGATE_SECRET_KEY; the signed-in user is DEMO_USER, or ?user= in this demo).
 */
const demoBackend = {
  name: "tollgate-demo-backend",
  configureServer(server) {
    const tollgate = process.env.TOLLGATE_URL ?? "http://localhost:5080";
    server.middlewares.use(async (req, res, next) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const user = url.searchParams.get("user") ?? process.env.DEMO_USER ?? "demo-user";
      if (url.pathname === "/api/config") {
        res.setHeader("content-type", "application/json");
        return res.end(JSON.stringify({ tollgateUrl: tollgate, user, visitorId: `visitor-${user}` }));
      }
      if (url.pathname !== "/api/session" || req.method !== "POST") return next();
      const answer = await fetch(`${tollgate}/v1/customers/${encodeURIComponent(user)}/sessions`, {
        method: "POST", body: "{}", signal: AbortSignal.timeout(10_000),
        headers: { authorization: `Bearer ${process.env.TOLLGATE_SECRET_KEY}`, "content-type": "application/json" },
      });
      res.statusCode = answer.status;
      res.setHeader("content-type", "application/json");
      res.end(await answer.text());
    });
  },
};

export default defineConfig({
  plugins: [react(), demoBackend],
  resolve: {
    alias: [
      { find: /^@tollgate\/react$/, replacement: repo("sdks/react/src/index.ts") },
      { find: /^@tollgate\/react\/styles\.css$/, replacement: repo("sdks/react/src/styles.css") },
      { find: /^@tollgate\/sdk$/, replacement: repo("sdks/typescript/src/index.ts") },
    ],
    // One React: the package sources sit outside this folder and must not find another copy.
    dedupe: ["react", "react-dom"],
  },
  build: { outDir: "dist", emptyOutDir: true },
});
