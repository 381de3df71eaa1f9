"use client";

import type { PricingPlan, PricingPrice } from "@tollgate/sdk";
import { useId, useRef, useState, type KeyboardEvent } from "react";
import { useTollgate } from "../context.js";
import { useEntitlements, usePricingPlans, useUpcomingInvoice } from "../hooks.js";

export type BillingPeriod = "monthly" | "yearly";

export type PlanSelection = { plan: string; billingPeriod: BillingPeriod; price: PricingPrice; experiment?: { id: string; variant: string } };

export type PricingTableProps = {
  /** Called when a plan's button is pressed, in place of starting Stripe Checkout. */
  onSelect?: (selection: PlanSelection) => void;
  /** Where Checkout returns after payment (this page by default). */
  successUrl?: string;
  /** Where Checkout returns when the customer leaves it (this page by default). */
  cancelUrl?: string;
  /** The period shown first ("monthly"). */
  defaultPeriod?: BillingPeriod;
  /** The button's words for a plan other than the current one ("Choose {plan}"). */
  ctaLabel?: (plan: PricingPlan) => string;
  /**
   * The currency to show (an ISO code such as "EUR"). By default a signed-in customer's: the currency of its next invoice,
   * as the hosted portal shows it; else the plans' own. A EUR customer was shown dollar prices, and plans it cannot buy.
   */
  currency?: string;
  className?: string;
};

/** A feature row as the pricing API answers it (the SDK keeps these open-ended). */
type PlanFeature = {
  featureCode: string; name: string; enabled: boolean; displayTerms?: string; displayQuota?: string;
  displayRateLimit?: string | null; displayOverage?: string[] | null;
};

const PERIODS: BillingPeriod[] = ["monthly", "yearly"];
const PER: Record<BillingPeriod, string> = { monthly: "/month", yearly: "/year" };

/** The public plans with a monthly/yearly switch, the visitor's experiment prices, the current plan and a checkout button. */
export function PricingTable({ onSelect, successUrl, cancelUrl, defaultPeriod = "monthly", ctaLabel, className, currency }: PricingTableProps) {
  const tollgate = useTollgate();
  const upcoming = useUpcomingInvoice();
  // A signed-in customer's currency is known once its next invoice is read (none: the plans' own currency).
  const learning = currency === undefined && tollgate.signedIn && upcoming.loading;
  const plans = usePricingPlans(currency ?? upcoming.invoice?.currency ?? undefined, !learning);
  const entitlements = useEntitlements();
  const [period, setPeriod] = useState<BillingPeriod>(defaultPeriod);
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const switchId = useId();
  const radios = useRef<(HTMLButtonElement | null)[]>([]);

  if (!plans.data) {
    return (
      <section className={["tg-pricing", className].filter(Boolean).join(" ")} aria-busy={!plans.error} aria-label="Pricing">
        <p className="tg-muted" role={plans.error ? "alert" : undefined}>{plans.error ? "Prices could not be loaded." : "Loading prices…"}</p>
      </section>
    );
  }

  const hasYearly = plans.data.some((p) => p.prices.some((x) => x.billingPeriod === "yearly"));
  const current = entitlements.data?.plan ?? null;
  const shown = [...plans.data].sort((a, b) => a.sortOrder - b.sortOrder);
  const variant = shown.find((p) => p.experiment)?.experiment;

  // Arrow keys move between the two periods, as in any radio group; Tab leaves the group.
  const onKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const step = event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : event.key === "ArrowLeft" || event.key === "ArrowUp" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = (index + step + PERIODS.length) % PERIODS.length;
    setPeriod(PERIODS[next]!);
    radios.current[next]?.focus();
  };

  const choose = async (plan: PricingPlan, price: PricingPrice) => {
    // The period of the price the card shows: a plan sold by the year only shows (and sells) its yearly price in the monthly view.
    const billingPeriod = price.billingPeriod as BillingPeriod;
    const selection: PlanSelection = { plan: plan.code, billingPeriod, price, ...(plan.experiment ? { experiment: plan.experiment } : {}) };
    if (onSelect) return onSelect(selection);
    setBusy(plan.code);
    setFailed(null);
    try {
      const here = window.location.href;
      const session = await tollgate.asCustomer((tg, customer) => tg.checkout.createSession({
        customer, plan: plan.code, billingPeriod, successUrl: successUrl ?? here, cancelUrl: cancelUrl ?? here,
        ...(tollgate.visitorId ? { visitorId: tollgate.visitorId } : {}),
      }));
      tollgate.navigate(session.checkoutUrl);
    } catch (error) {
      setFailed(error instanceof Error ? error.message : "Checkout could not be started");
      setBusy(null);
    }
  };

  return (
    <section className={["tg-pricing", className].filter(Boolean).join(" ")} aria-label="Pricing" data-variant={variant?.variant}>
      {hasYearly && (
        <div className="tg-switch" role="radiogroup" aria-labelledby={switchId}>
          <span id={switchId} className="tg-visually-hidden">Billing period</span>
          {PERIODS.map((p, index) => (
            <button key={p} type="button" role="radio" aria-checked={period === p} tabIndex={period === p ? 0 : -1}
              ref={(el) => { radios.current[index] = el; }} className="tg-switch__option"
              onClick={() => setPeriod(p)} onKeyDown={(e) => onKey(e, index)}>
              {p === "monthly" ? "Monthly" : "Yearly"}
            </button>
          ))}
        </div>
      )}
      <ul className="tg-plans" role="list">
        {shown.map((plan) => {
          const price = plan.prices.find((x) => x.billingPeriod === period) ?? plan.prices[0];
          const isCurrent = current === plan.code;
          const titleId = `${switchId}-${plan.code}`;
          return (
            <li key={plan.code} className="tg-plan" data-plan={plan.code} data-popular={plan.isPopular || undefined} data-current={isCurrent || undefined}>
              <article aria-labelledby={titleId}>
                <header className="tg-plan__head">
                  <h3 id={titleId} className="tg-plan__name">{plan.name}</h3>
                  {isCurrent ? <span className="tg-badge tg-badge--current">Current plan</span>
                    : plan.isPopular ? <span className="tg-badge">Popular</span> : null}
                </header>
                {plan.description && <p className="tg-plan__description">{plan.description}</p>}
                {price && (
                  <p className="tg-plan__price" data-price-cents={price.priceCents}>
                    {/* As the hosted /pricing words it: "Free", or the amount and what it is for ("/ seat / month"). */}
                    <span className="tg-plan__amount">{price.priceCents === 0 ? "Free" : price.displayPrice}</span>
                    {price.priceCents !== 0 && <span className="tg-plan__per">{price.displayPer ?? PER[price.billingPeriod as BillingPeriod] ?? ""}</span>}
                    {price.savingPercent ? <span className="tg-plan__saving">Save {price.savingPercent}%</span> : null}
                  </p>
                )}
                {price?.displaySeats && <p className="tg-plan__seats">{price.displaySeats}</p>}
                <ul className="tg-plan__features" role="list">
                  {(plan.features as unknown as PlanFeature[]).map((f) => (
                    <li key={f.featureCode} data-included={f.enabled || undefined}>
                      <span className="tg-check" aria-hidden="true">{f.enabled ? "✓" : "–"}</span>
                      <span>{f.enabled ? <><strong>{f.displayTerms ?? f.displayQuota}</strong>{named(f.displayTerms ?? f.displayQuota, f.name)}</> : <><span className="tg-visually-hidden">Not included: </span>{f.name}</>}
                        {f.enabled && f.displayRateLimit && <span className="tg-plan__rate"> · up to {f.displayRateLimit}</span>}
                        {f.enabled && f.displayOverage && f.displayOverage.length > 0 && (
                          <ul className="tg-plan__overage" role="list">{f.displayOverage.map((line) => <li key={line}>{line}</li>)}</ul>
                        )}
                      </span>
                    </li>
                  ))}
                </ul>
                <button type="button" className="tg-button tg-plan__cta" disabled={isCurrent || busy !== null || !price || (!onSelect && !tollgate.signedIn)}
                  aria-busy={busy === plan.code} onClick={() => price && void choose(plan, price)}>
                  {isCurrent ? "Current plan" : ctaLabel?.(plan) ?? `Choose ${plan.name}`}
                </button>
              </article>
            </li>
          );
        })}
      </ul>
      {failed && <p role="alert" className="tg-error">{failed}</p>}
    </section>
  );
}

/** " Seats" after the terms, unless they end with the name already: "5 seats", not "5 seats Seats". */
function named(terms: string | undefined, name: string): string {
  return terms?.toLowerCase().endsWith(name.toLowerCase()) ? "" : ` ${name}`;
}
