import type { RequestOptions } from "../core/http.js";
import type { PricingFeature, PricingPlan } from "../types.js";
import { Resource, seg } from "./resource.js";

/** The public pricing reads (no key needed). */
export class Pricing extends Resource {
  /**
   * The active plans in pricing-page order; with `visitor` (your visitor id) at their price-experiment variant's prices,
   * recorded as seen, so a subscription created with that `visitorId` is the variant's conversion. With `currency` ("EUR"),
   * the prices in that currency, leaving out the plans without it.
   */
  plans(params: { visitor?: string | undefined; currency?: string | undefined } = {}, options?: RequestOptions): Promise<PricingPlan[]> {
    return this.http.json({ method: "GET", path: "v1/pricing/plans", query: params, options });
  }

  /**
   * One public plan; with `currency` ("EUR" or "eur") its prices in it, and a 400 naming `currency` when it is not priced in it.
   * The second argument may be the request options alone, as before `currency` existed.
   */
  plan(code: string, params: { currency?: string | undefined } | RequestOptions = {}, options?: RequestOptions): Promise<PricingPlan> {
    const query = "currency" in params ? { currency: (params as { currency?: string | undefined }).currency } : {};
    const request = "currency" in params ? options : (params as RequestOptions);
    return this.http.json({ method: "GET", path: `v1/pricing/plans/${seg(code)}`, query, options: request });
  }

  features(options?: RequestOptions): Promise<PricingFeature[]> {
    return this.http.json({ method: "GET", path: "v1/pricing/features", options });
  }

  /** The feature × plan table with the FAQ. */
  compare(options?: RequestOptions): Promise<Record<string, unknown>> {
    return this.http.json({ method: "GET", path: "v1/pricing/compare", options });
  }
}
