// A browser for the component tests: jsdom's window as the globals React DOM expects, a fake Tollgate server behind
// fetch, and helpers that render inside act() and wait (boundedly) for what a user would see.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "http://app.test/", pretendToBeVisual: true });
for (const name of ["window", "document", "navigator", "HTMLElement", "Node", "Event", "FocusEvent", "KeyboardEvent", "MouseEvent", "getComputedStyle"]) {
  Object.defineProperty(globalThis, name, { value: name === "window" ? dom.window : dom.window[name], configurable: true, writable: true });
}
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

const { act, createElement } = await import("react");
const { createRoot } = await import("react-dom/client");

/** A fake Tollgate: answers by "METHOD /path", records each call with its bearer token. */
export function fakeServer(routes) {
  const calls = [];
  globalThis.fetch = async (input, init = {}) => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    const key = `${init.method ?? "GET"} ${url.pathname}`;
    calls.push({ key, token: headers.get("authorization")?.replace("Bearer ", "") ?? null, search: url.search, body: init.body ? JSON.parse(init.body) : undefined });
    const route = routes[key];
    if (!route) return new Response(JSON.stringify({ error: "not_found", status: 404 }), { status: 404, headers: { "content-type": "application/problem+json" } });
    const [status, body] = await route({ url, headers, token: headers.get("authorization")?.replace("Bearer ", "") ?? null });
    return new Response(JSON.stringify(body), { status, headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" } });
  };
  return calls;
}

export async function render(element) {
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  await act(async () => { root.render(element); });
  return { container, unmount: () => act(async () => root.unmount()) };
}

/** Waits until `check` passes, at most `ms`; the last failure is thrown, so a timeout says what was missing. */
export async function until(check, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await act(async () => { await new Promise((r) => setTimeout(r, 15)); });
    }
  }
}

export { act, createElement as h };
