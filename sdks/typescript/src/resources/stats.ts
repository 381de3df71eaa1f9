import type { RequestOptions } from "../core/http.js";
import type { CustomerCosts, CustomerMargin, FeatureStats, PlanStats, RevenueVsCost, SaasStats } from "../types.js";
import { Resource, seg } from "./resource.js";

/**
 * Reports (`/v1/admin/stats`): an admin key. `saas`, `revenueVsCost` and `userCosts` say their `reportingCurrency`, the `rates`
 * they used and `unconvertedCurrencies`; the lists are bare arrays.
 */
export class Stats extends Resource {
  /** MRR, its movements, churn, ARPA and LTV over [from, to): the last twelve months by default. */
  saas(params: { from?: string | undefined; to?: string | undefined } = {}, options?: RequestOptions): Promise<SaasStats> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/saas", query: params, options });
  }

  /** Revenue against LLM cost over the last `days` days (30 by default). */
  revenueVsCost(params: { days?: number | undefined } = {}, options?: RequestOptions): Promise<RevenueVsCost> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/revenue-vs-cost", query: params, options });
  }

  /** One customer's revenue, payments and LLM cost over the last `days` days, by feature, model and day. */
  userCosts(customer: string, params: { days?: number | undefined } = {}, options?: RequestOptions): Promise<CustomerCosts> {
    return this.http.json({ method: "GET", path: `v1/admin/stats/user-costs/${seg(customer)}`, query: params, options });
  }

  /** Each feature's units, users and LLM cost over the last `days` days. */
  features(params: { days?: number | undefined } = {}, options?: RequestOptions): Promise<FeatureStats[]> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/features", query: params, options });
  }

  /** Each plan's customers, MRR, revenue, LLM cost and margin over the last `days` days. */
  plans(params: { days?: number | undefined } = {}, options?: RequestOptions): Promise<PlanStats[]> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/plans", query: params, options });
  }

  /** The customers with the highest LLM cost over the last `days` days. */
  topSpenders(params: { days?: number | undefined; limit?: number | undefined } = {}, options?: RequestOptions): Promise<CustomerMargin[]> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/top-spenders", query: params, options });
  }

  /** The customers whose LLM cost passed their revenue over the last `days` days, lowest margin first. */
  negativeMargin(params: { days?: number | undefined; limit?: number | undefined } = {}, options?: RequestOptions): Promise<CustomerMargin[]> {
    return this.http.json({ method: "GET", path: "v1/admin/stats/negative-margin", query: params, options });
  }
}
