import { watchedStream } from "../core/streams.js";
import { gate, type GateOptions } from "./gate.js";

export { setQuotaUsage, type Denial, type GateOptions } from "./gate.js";

/**
 * Gates a Next.js route handler (or any Request → Response handler, edge runtime included):
 * `export const POST = withQuota(handler, { feature: "cv_generate", customer: req => userOf(req) })`.
 * Reserves before the handler; commits a 2xx answer once its body has been read to the end, and releases when the
 * handler answers otherwise or throws, or when its body fails or the caller stops reading it (a stream left mid-way).
 */
export function withQuota<Ctx = unknown>(
  handler: (req: Request, ctx: Ctx) => Response | Promise<Response>,
  options: GateOptions<Request> & { feature: string },
): (req: Request, ctx?: Ctx) => Promise<Response> {
  // The context is optional, as Next passes one and a test or a plain Request → Response caller has none to give.
  return async (req, ctx) => {
    const outcome = await gate(options.feature, options, req);
    if (!outcome.allowed) {
      return new Response(JSON.stringify(outcome.denial.body), { status: outcome.denial.status, headers: outcome.denial.headers });
    }
    let response: Response;
    try {
      response = await handler(req, ctx as Ctx);
    } catch (error) {
      await outcome.settle(false);
      throw error;
    }
    const ok = response.status >= 200 && response.status < 300;
    if (!ok || !response.body) {
      await outcome.settle(ok);
      return response;
    }
    // Billing counts delivered work: the commit waits for the body's last byte, so a stream that fails or that its
    // caller abandons is released, as the Express and FastAPI gates do.
    const delivered = new Response(watchedStream(response.body, outcome.settle), {
      status: response.status, statusText: response.statusText, headers: response.headers,
    });
    return delivered;
  };
}

