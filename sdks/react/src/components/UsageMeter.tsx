"use client";

import { useId } from "react";
import { meterLabel, percent } from "../format.js";
import { usePricingFeatures, usePricingPlans, useUsage } from "../hooks.js";

export type UsageMeterProps = {
  /** A metered feature's code. */
  feature: string;
  /** What is counted, as in "12 of 50 CVs": the catalog's unit for the feature when left out, else its name. */
  unit?: string;
  /** Replaces the whole label. */
  label?: string;
  className?: string;
};

/** A labelled bar: "12 of 50 CVs this month, resets Dec 1", with the numbers of GET /v1/customers/{id}/usage. */
export function UsageMeter({ feature, unit, label, className }: UsageMeterProps) {
  const usage = useUsage();
  const features = usePricingFeatures();
  const plans = usePricingPlans();
  const id = useId();
  const counter = usage.data?.features[feature];
  const classes = ["tg-meter", className].filter(Boolean).join(" ");
  if (!counter) {
    const text = usage.error ? "Usage could not be loaded" : "Loading usage…";
    return <div className={classes} aria-busy={!usage.error} data-state={usage.error ? "error" : "loading"}><span className="tg-meter__label">{text}</span></div>;
  }

  const known = features.data?.find((f) => f.code === feature);
  // The window's name comes from the plan's own terms (reset: month…); a private plan not on the public list falls back to its bounds.
  const terms = plans.data?.find((p) => p.code === usage.data?.plan)?.features.find((f) => f["featureCode"] === feature);
  const reset = typeof terms?.["reset"] === "string" ? terms["reset"] : null;
  const words = label ?? meterLabel({ ...counter, reset }, unit ?? known?.unit ?? known?.name ?? feature);
  const full = percent(counter.used, counter.limit);
  const state = counter.limit !== null && counter.used >= counter.limit ? "full" : full >= 80 ? "high" : "ok";
  return (
    <div className={classes} data-state={state}>
      <span className="tg-meter__label" id={id}>{words}</span>
      <div className="tg-meter__track" role="progressbar" aria-labelledby={id} aria-valuemin={0}
        aria-valuemax={counter.limit ?? undefined} aria-valuenow={counter.used} aria-valuetext={words}>
        <div className="tg-meter__fill" style={{ width: `${counter.unlimited ? 0 : full}%` }} />
      </div>
    </div>
  );
}
