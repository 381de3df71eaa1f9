// A small Express app that gates a route on a Tollgate quota and records the cost of the model call it makes.
// Run it with TOLLGATE_API_KEY (a tg_sk_ key), TOLLGATE_BASE_URL, OPENAI_API_KEY and, for another upstream, OPENAI_BASE_URL.
import express from "express";
import OpenAI from "openai";
import { Tollgate } from "@tollgate/sdk";
import { requireQuota } from "@tollgate/sdk/express";

export function createApp({ tollgate = new Tollgate() } = {}) {
  // One OpenAI client for the app; each call names its customer and feature in headers the capture fetch removes.
  const openai = new OpenAI({ fetch: tollgate.llm.fetch() });
  const userOf = (req) => req.get("x-user-id");   // stands in for your own authentication

  const app = express();
  app.use(express.json());

  // Reserves one CV before the handler, commits it when the answer is 2xx, releases it otherwise; 429/402 when denied.
  app.post("/cv/generate", requireQuota("cv_generate", { client: tollgate, customer: userOf }), async (req, res) => {
    const completion = await openai.chat.completions.create(
      { model: "o3", messages: [{ role: "user", content: `Write a one-line CV for ${req.body.name}.` }] },
      { headers: { "Tollgate-Customer": userOf(req), "Tollgate-Feature": "cv_generate" } },
    );
    res.json({ cv: completion.choices[0].message.content });
  });

  // What the signed-in user has left this month.
  app.get("/me/usage", async (req, res) => {
    res.json(await tollgate.usage.get(userOf(req)));
  });

  // Sign-up: the customer exists in Tollgate before it uses anything.
  app.post("/signup", async (req, res) => {
    res.status(201).json(await tollgate.customers.upsert(req.body.id, { email: req.body.email }));
  });

  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().listen(port, () => console.log(`listening on http://localhost:${port}`));
}
