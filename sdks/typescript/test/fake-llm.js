// A fake OpenAI-compatible and Anthropic upstream on loopback, answering with the usage shapes the providers send
// (the o3 and claude figures of docs/llm.md), whole or streamed. It records the headers each request arrived with.
// Run directly (`node test/fake-llm.js 5700`), it serves on that port until stopped, for trying the guide's LLM examples.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

let counter = 0;

const openAiUsage = {
  prompt_tokens: 1200, completion_tokens: 500, total_tokens: 1700,
  prompt_tokens_details: { cached_tokens: 200 }, completion_tokens_details: { reasoning_tokens: 300 },
};

function chat(res, body) {
  const id = `chatcmpl-${process.pid}-${++counter}`;
  const model = "o3-2025-04-16";
  if (!body.stream) {
    res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${counter}` });
    res.end(JSON.stringify({
      id, object: "chat.completion", created: 1773144000, model,
      choices: [{ index: 0, message: { role: "assistant", content: "Hello there." }, finish_reason: "stop" }], usage: openAiUsage,
    }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = (delta, extra = {}) => `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1773144000, model, choices: delta === null ? [] : [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
  res.write(chunk({ role: "assistant", content: "" }));
  res.write(chunk({ content: "Hello" }));
  res.write(chunk({ content: " there." }));
  // Usage comes only in a last chunk with empty choices, and only when the request asked with include_usage.
  if (body.stream_options?.include_usage) res.write(chunk(null, { usage: openAiUsage }));
  res.end("data: [DONE]\n\n");
}

function messages(res, body) {
  const id = `msg_${process.pid}_${++counter}`;
  const model = "claude-sonnet-4-5-20250929";
  // 1000 written to the cache, 400 of them for an hour, as the Messages API breaks cache_creation_input_tokens down.
  const usage = {
    input_tokens: 100, cache_creation_input_tokens: 1000, cache_read_input_tokens: 2000, output_tokens: 500,
    cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 },
  };
  if (!body.stream) {
    res.writeHead(200, { "content-type": "application/json", "request-id": `req_${counter}` });
    res.end(JSON.stringify({ id, type: "message", role: "assistant", model, content: [{ type: "text", text: "Hi." }], stop_reason: "end_turn", usage }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  res.write(event("message_start", { message: { id, type: "message", role: "assistant", model, content: [], usage: { ...usage, output_tokens: 1 } } }));
  res.write(event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
  res.write(event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi." } }));
  res.write(event("content_block_stop", { index: 0 }));
  // message_delta restates the running output total: 500, not 501.
  res.write(event("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 500 } }));
  res.end(event("message_stop", {}));
}

/** Starts the upstream (on a free port unless one is given); `requests` lists each request's path and headers. */
export async function startFakeLlm(port = 0) {
  const requests = [];
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const part of req) text += part;
    const body = text ? JSON.parse(text) : {};
    requests.push({ path: req.url, headers: req.headers, body });
    if (req.url.endsWith("/chat/completions")) return chat(res, body);
    if (req.url.endsWith("/messages")) return messages(res, body);
    if (req.url.endsWith("/fail")) {
      res.writeHead(500, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: "upstream broke" }, usage: openAiUsage, model: "o3", id: "x" }));
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`fake OpenAI and Anthropic upstream on ${(await startFakeLlm(Number(process.argv[2] ?? 0))).url}`);
}
