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
  plans(params: { visitor?: string; currency?: string } = {}, options?: RequestOptions): Promise<PricingPlan[]> {
    return this.http.json({ method: "GET", path: "v1/pricing/plans", query: params, options });
  }

  plan(code: string, options?: RequestOptions): Promise<PricingPlan> {
    return this.http.json({ method: "GET", path: `v1/pricing/plans/${seg(code)}`, options });
  }

  features(options?: RequestOptions): Promise<PricingFeature[]> {
    return this.http.json({ method: "GET", path: "v1/pricing/features", options });
  }

  /** The feature × plan table with the FAQ. */
  compare(options?: RequestOptions): Promise<Record<string, unknown>> {
    return this.http.json({ method: "GET", path: "v1/pricing/compare", options });
  }
}
