"use client";

import { useState, type ReactNode } from "react";
import { useTollgate } from "../context.js";

export type ManageBillingProps = {
  /** Stripe's customer portal (card, invoices) in place of Tollgate's own portal. */
  stripe?: boolean;
  /** Where the portal's "back" link goes (this page by default). */
  returnUrl?: string;
  className?: string;
  children?: ReactNode;
};

/** A button that opens the customer portal for the signed-in customer. */
export function ManageBilling({ stripe = false, returnUrl, className, children = "Manage billing" }: ManageBillingProps) {
  const tollgate = useTollgate();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const open = async () => {
    setBusy(true);
    setFailed(null);
    try {
      const back = returnUrl ?? window.location.href;
      const url = await tollgate.asCustomer(async (tg, customer) => stripe
        ? (await tg.portal.createStripeSession({ customer, returnUrl: back })).url
        : (await tg.portal.createLink(customer, { returnUrl: back })).url);
      tollgate.navigate(url);
    } catch (error) {
      setFailed(error instanceof Error ? error.message : "The billing portal could not be opened");
      setBusy(false);
    }
  };

  return (
    <span className={["tg-manage", className].filter(Boolean).join(" ")}>
      <button type="button" className="tg-button" onClick={open} disabled={busy || !tollgate.signedIn} aria-busy={busy}>{children}</button>
      {failed && <span role="alert" className="tg-error">{failed}</span>}
    </span>
  );
}
