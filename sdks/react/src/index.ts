export { TollgateProvider, useTollgate, type TollgateProviderProps, type TollgateContextValue } from "./context.js";
export { useEntitlement, useEntitlements, useUsage, useUpcomingInvoice, usePricingPlans, usePricingFeatures, useResource, type EntitlementState } from "./hooks.js";
export { Paywall, type PaywallProps } from "./components/Paywall.js";
export { UsageMeter, type UsageMeterProps } from "./components/UsageMeter.js";
export { PricingTable, type PricingTableProps, type PlanSelection, type BillingPeriod } from "./components/PricingTable.js";
export { ManageBilling, type ManageBillingProps } from "./components/ManageBilling.js";
export { SessionKeeper, toSession, type Session, type SessionGrant, type SessionKeeperOptions } from "./session.js";
export { ResourceStore, type ResourceState } from "./store.js";
export { meterLabel, windowWords, shortDate, money, percent } from "./format.js";
