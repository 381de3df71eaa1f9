// A Next.js route handler (app/api/chat/route.js) gated with withQuota: plain Request in, Response out, so it runs on
// Node or the edge runtime. The answer streams the model's text; the call's tokens are logged when the stream ends.
import OpenAI from "openai";
import { withQuota } from "@tollgate/sdk/next";
import { tollgate } from "../../../lib/tollgate.js";
const userOf = (req) => req.headers.get("x-user-id");     // stands in for your session

async function chat(req) {
  const { message } = await req.json();
  const openai = new OpenAI({ fetch: tollgate.llm.fetch({ customer: userOf(req), feature: "ai_chat" }) });
  const stream = await openai.chat.completions.create({
    model: "o3", messages: [{ role: "user", content: message }], stream: true, stream_options: { include_usage: true },
  });
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      for await (const chunk of stream) controller.enqueue(encoder.encode(chunk.choices[0]?.delta?.content ?? ""));
      controller.close();
      await tollgate.llm.flush();                        // a serverless function may stop once it has answered
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
}

export const POST = withQuota(chat, { client: tollgate, feature: "ai_chat", customer: userOf });
