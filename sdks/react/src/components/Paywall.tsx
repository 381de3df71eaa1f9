"use client";

import type { ReactNode } from "react";
import { useEntitlement, useEntitlements } from "../hooks.js";

export type PaywallProps = {
  /** The feature's code in the catalog. */
  feature: string;
  /** Shown when the plan does not allow the feature (an upgrade prompt, a <PricingTable/>). */
  fallback: ReactNode;
  /** Shown while the entitlements load, and on the server (nothing by default: no flash of the paywall). */
  loading?: ReactNode;
  /**
   * Shown when the entitlements could not be read (Tollgate down, the session refused): `loading` by default. Never the
   * fallback, which offered a paying customer an upgrade whenever Tollgate could not be reached.
   */
  unavailable?: ReactNode;
  children?: ReactNode;
};

/** Renders its children only when the signed-in customer may use `feature`; the fallback when the plan does not allow it. */
export function Paywall({ feature, fallback, loading = null, unavailable, children }: PaywallProps) {
  const entitlement = useEntitlement(feature);
  const { data } = useEntitlements();
  if (entitlement.loading) return <>{loading}</>;
  if (data === undefined && entitlement.error) return <>{unavailable === undefined ? loading : unavailable}</>;
  return <>{entitlement.allowed ? children : fallback}</>;
}
