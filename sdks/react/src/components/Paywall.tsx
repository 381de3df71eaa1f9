"use client";

import type { ReactNode } from "react";
import { useEntitlement } from "../hooks.js";

export type PaywallProps = {
  /** The feature's code in the catalog. */
  feature: string;
  /** Shown when the plan does not allow the feature (an upgrade prompt, a <PricingTable/>). */
  fallback: ReactNode;
  /** Shown while the entitlements load, and on the server (nothing by default: no flash of the paywall). */
  loading?: ReactNode;
  children?: ReactNode;
};

/** Renders its children only when the signed-in customer may use `feature`; the fallback otherwise. */
export function Paywall({ feature, fallback, loading = null, children }: PaywallProps) {
  const entitlement = useEntitlement(feature);
  if (entitlement.loading) return <>{loading}</>;
  return <>{entitlement.allowed ? children : fallback}</>;
}
