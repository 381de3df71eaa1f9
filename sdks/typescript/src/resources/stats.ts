import type { RequestOptions } from "../core/http.js";
import type { RevenueVsCost, SaasStats } from "../types.js";
import { Resource } from "./resource.js";

/** Reports (`/v1/admin/stats`): an admin key. Each says its `reportingCurrency`, the `rates` it used and `unconvertedCurrencies`. */
export class Stats extends Resource {
  /** MRR, its movements, churn, ARPA and LTV over [from, to): the last twelve months by default. */
  saas(params: { from?: string | undefined; to?: string | undefined } = {}, options?: RequestOptions): Promise<SaasStats> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/saas", query: params, options });
  }

  /** Revenue against LLM cost over the last `days` days (30 by default). */
  revenueVsCost(params: { days?: number | undefined } = {}, options?: RequestOptions): Promise<RevenueVsCost> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/revenue-vs-cost", query: params, options });
  }
}
