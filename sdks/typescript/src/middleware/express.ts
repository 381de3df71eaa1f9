import { gate, type GateOptions } from "./gate.js";

export { setQuotaUsage, type Denial, type GateOptions } from "./gate.js";

/** What the middleware needs of Express's response (Express 4 and 5); of the request, only what `customer` reads. */
type ResponseLike = {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
  on(event: "finish" | "close", listener: () => void): unknown;
  writableFinished?: boolean | undefined;
};
type Next = (error?: unknown) => void;

/**
 * Express middleware: `app.post("/cv", requireQuota("cv_generate", { customer: req => req.user.id }), handler)`.
 * Reserves before the handler, commits when the response is 2xx and releases otherwise (an error, a 4xx/5xx, or a
 * caller who went away). A denial answers the caller with Tollgate's problem (429 with Retry-After, or 402).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function requireQuota<Req extends object = any>(feature: string, options: GateOptions<Req>) {
  return async (req: Req, res: ResponseLike, next: Next): Promise<void> => {
    let outcome;
    try {
      outcome = await gate(feature, options, req);
    } catch (error) {
      next(error);
      return;
    }
    if (!outcome.allowed) {
      res.statusCode = outcome.denial.status;
      for (const [name, value] of Object.entries(outcome.denial.headers)) res.setHeader(name, value);
      res.end(JSON.stringify(outcome.denial.body));
      return;
    }
    const { settle } = outcome;
    res.on("finish", () => void settle(res.statusCode >= 200 && res.statusCode < 300));
    res.on("close", () => { if (!res.writableFinished) void settle(false); });
    next();
  };
}
