"use client";

import { NotFoundError, type Entitlements as EntitlementList, type Invoice, type PricingFeature, type PricingPlan, type Usage } from "@tollgate/sdk";
import { useCallback, useSyncExternalStore } from "react";
import { useTollgate, type TollgateContextValue } from "./context.js";
import { ResourceStore, type ResourceState } from "./store.js";

/** A cached resource: read by every component that shows it, loaded once, revalidated together. */
export function useResource<T>(key: string | null, loader: (tollgate: TollgateContextValue) => Promise<T>): ResourceState<T> & { refresh: () => Promise<void> } {
  const tollgate = useTollgate();
  const { store } = tollgate;
  const subscribe = useCallback(
    (listener: () => void) => (key === null ? () => undefined : store.subscribe(key, () => loader(tollgate), listener)),
    // The loader is keyed: the same key always loads the same thing, so a new closure need not resubscribe.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, key],
  );
  const state = useSyncExternalStore(
    subscribe,
    () => (key === null ? ResourceStore.initial : store.get<T>(key)),
    () => ResourceStore.initial as ResourceState<T>, // the server renders the loading state: no fetch, no window
  );
  const refresh = useCallback(() => (key === null ? Promise.resolve() : store.load(key)), [store, key]);
  return { ...(state as ResourceState<T>), refresh };
}

/** Every feature's access for the signed-in customer (GET /v1/customers/{id}/entitlements), shared by the hooks. */
export function useEntitlements() {
  const { signedIn } = useTollgate();
  return useResource<EntitlementList>(signedIn ? "entitlements" : null, (t) => t.asCustomer((tg, customer) => tg.entitlements.get(customer)));
}

/** The current period's counters (GET /v1/customers/{id}/usage): the numbers the usage meter shows. */
export function useUsage() {
  const { signedIn } = useTollgate();
  return useResource<Usage>(signedIn ? "usage" : null, (t) => t.asCustomer((tg, customer) => tg.usage.get(customer)));
}

export type EntitlementState = {
  /** Whether the customer may use the feature now; false while loading. */
  allowed: boolean;
  used: number | null;
  /** The window's limit; null when unlimited or not metered. */
  limit: number | null;
  remaining: number | null;
  unlimited: boolean;
  /** When the window starts again (ISO 8601), or null. */
  resetsAt: string | null;
  loading: boolean;
  error: unknown;
  /** Reads the customer's entitlements again (after your backend consumed, say). */
  refresh: () => Promise<void>;
};

/** One feature's access and numbers for the signed-in customer. */
export function useEntitlement(feature: string): EntitlementState {
  const { data, loading, error, refresh } = useEntitlements();
  const entry = data?.features.find((f) => f.feature === feature);
  return {
    allowed: entry?.access ?? false,
    used: entry?.used ?? null,
    limit: entry?.limit ?? null,
    remaining: entry?.remaining ?? null,
    unlimited: entry?.unlimited ?? false,
    resetsAt: entry?.resetsAt ?? null,
    loading: loading && data === undefined,
    error,
    refresh,
  };
}

/** What the next renewal would invoice if it ran now; `invoice` is null for a customer with nothing to renew. */
export function useUpcomingInvoice() {
  const { signedIn } = useTollgate();
  const state = useResource<Invoice | null>(signedIn ? "upcoming-invoice" : null, (t) => t.asCustomer(async (tg, customer) => {
    try {
      return await tg.invoices.upcoming(customer);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }));
  return { invoice: state.data ?? null, loading: state.loading && state.data === undefined, error: state.error, refresh: state.refresh };
}

/**
 * The public plans, with this visitor's price-experiment prices when the provider has a visitorId; with `currency`, their
 * prices in it and only the plans sold in it. `enabled` false reads nothing yet (the currency is still being learned).
 */
export function usePricingPlans(currency?: string, enabled = true) {
  const { visitorId } = useTollgate();
  return useResource<PricingPlan[]>(enabled ? `plans:${visitorId ?? ""}:${currency ?? ""}` : null,
    (t) => t.anonymous((tg) => tg.pricing.plans({ ...(visitorId ? { visitor: visitorId } : {}), ...(currency ? { currency } : {}) })));
}

/** The public features (GET /v1/pricing/features): names and units for labels. */
export function usePricingFeatures() {
  return useResource<PricingFeature[]>("features", (t) => t.anonymous((tg) => tg.pricing.features()));
}
