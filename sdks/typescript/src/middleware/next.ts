import { gate, type GateOptions } from "./gate.js";

export { setQuotaUsage, type Denial, type GateOptions } from "./gate.js";

/**
 * Gates a Next.js route handler (or any Request → Response handler, edge runtime included):
 * `export const POST = withQuota(handler, { feature: "cv_generate", customer: req => userOf(req) })`.
 * Reserves before the handler, commits when it answers 2xx, releases when it answers otherwise or throws.
 */
export function withQuota<Ctx = unknown>(
  handler: (req: Request, ctx: Ctx) => Response | Promise<Response>,
  options: GateOptions<Request> & { feature: string },
): (req: Request, ctx: Ctx) => Promise<Response> {
  return async (req, ctx) => {
    const outcome = await gate(options.feature, options, req);
    if (!outcome.allowed) {
      return new Response(JSON.stringify(outcome.denial.body), { status: outcome.denial.status, headers: outcome.denial.headers });
    }
    let response: Response;
    try {
      response = await handler(req, ctx);
    } catch (error) {
      await outcome.settle(false);
      throw error;
    }
    await outcome.settle(response.status >= 200 && response.status < 300);
    return response;
  };
}
