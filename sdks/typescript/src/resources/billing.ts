import type { RequestOptions } from "../core/http.js";
import { Page, toPage } from "../core/pagination.js";
import type { Alert, CheckoutSession, Invoice, InvoiceFilter, PortalLink, StripePortalSession } from "../types.js";
import { Resource, seg } from "./resource.js";

/** A customer's invoices, and the credit balance per currency that came with them. */
export type InvoicePage = Page<Invoice> & { balanceCents?: Record<string, number> | undefined };

export class Invoices extends Resource {
  /**
   * Invoices, newest first: across customers, or one `customer`'s, filtered by `status` and `from`/`to` (when each was created).
   * With `customer` and no other filter the page also carries the customer's `balanceCents`.
   */
  async list(params: InvoiceFilter = {}, options?: RequestOptions): Promise<InvoicePage> {
    const { customer, ...query } = params;
    if (customer === undefined || query.status !== undefined || query.from !== undefined || query.to !== undefined) {
      return this.paged<Invoice>("v1/invoices", params, options);
    }
    const load = async (cursor?: string): Promise<InvoicePage> => {
      const answer = await this.http.json<Record<string, unknown>>({
        method: "GET", path: `v1/customers/${seg(customer)}/invoices`, query: { ...query, cursor: cursor ?? query.cursor }, options,
      });
      return Object.assign(toPage<Invoice>(answer, "invoices", load), { balanceCents: answer?.balanceCents as Record<string, number> | undefined });
    };
    return load();
  }

  get(id: string, options?: RequestOptions): Promise<Invoice> {
    return this.http.json({ method: "GET", path: `v1/invoices/${seg(id)}`, options });
  }

  /**
   * The invoice the customer's next renewal would issue if it ran now (fee, usage and overage to date, discount, credit),
   * with status `upcoming` and no number; nothing is written. A customer without a live subscription that invoices again
   * is a NotFoundError whose `resource` is `upcoming_invoice`.
   */
  upcoming(customer: string, options?: RequestOptions): Promise<Invoice> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/upcoming-invoice`, options });
  }

  /** The printable invoice as HTML. */
  async html(id: string, options?: RequestOptions): Promise<string> {
    return String((await this.http.send({ method: "GET", path: `v1/invoices/${seg(id)}/html`, options })).data ?? "");
  }

  /** The invoice as a PDF (seller, billing details, lines, totals, credit notes); an unknown id throws a not-found error. */
  async pdf(id: string, options?: RequestOptions): Promise<Uint8Array> {
    return (await this.http.send({ method: "GET", path: `v1/invoices/${seg(id)}/pdf`, options, binary: true })).data as Uint8Array;
  }

  /** Records a payment collected outside Stripe. */
  markPaid(id: string, options?: RequestOptions): Promise<Invoice> {
    return this.http.json({ method: "POST", path: `v1/invoices/${seg(id)}/mark-paid`, options });
  }

  void(id: string, options?: RequestOptions): Promise<Invoice> {
    return this.http.json({ method: "POST", path: `v1/invoices/${seg(id)}/void`, options });
  }

  markUncollectible(id: string, options?: RequestOptions): Promise<Invoice> {
    return this.http.json({ method: "POST", path: `v1/invoices/${seg(id)}/mark-uncollectible`, options });
  }
}

/** Links into customer portals: Tollgate's own, and Stripe's. */
export class Portal extends Resource {
  /** A short-lived signed link into Tollgate's customer portal; `returnUrl` is its "back to the app" link. */
  createLink(customer: string, params: { returnUrl?: string | undefined } = {}, options?: RequestOptions): Promise<PortalLink> {
    return this.http.json({ method: "POST", path: `v1/customers/${seg(customer)}/portal-sessions`, body: params, options });
  }

  /** A Stripe customer portal session (the customer needs a Stripe customer, made by their first checkout). */
  createStripeSession(params: { customer: string; returnUrl: string }, options?: RequestOptions): Promise<StripePortalSession> {
    return this.http.json({ method: "POST", path: "v1/billing/portal-sessions", body: params, options });
  }
}

/** Stripe Checkout for a plan. */
export class Checkout extends Resource {
  /** Starts a checkout; send the customer to `checkoutUrl`. */
  createSession(
    params: { customer: string; plan: string; successUrl: string; cancelUrl: string; billingPeriod?: "monthly" | "yearly" | undefined; visitorId?: string | undefined },
    options?: RequestOptions,
  ): Promise<CheckoutSession> {
    return this.http.json({ method: "POST", path: "v1/billing/checkout-sessions", body: params, options });
  }
}

/** Usage alerts a customer's plan fired (thresholds, exhaustion, budget). */
export class Alerts extends Resource {
  /** Newest first; only those not yet read with `unread: true`. */
  async list(params: { customer: string; unread?: boolean | undefined; limit?: number | undefined; cursor?: string | undefined }, options?: RequestOptions): Promise<Page<Alert>> {
    const { customer, ...query } = params;
    const load = async (cursor?: string): Promise<Page<Alert>> => toPage<Alert>(
      await this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/alerts`, query: { ...query, cursor: cursor ?? query.cursor }, options }),
      "alerts", load);
    return load();
  }

  markRead(id: string, options?: RequestOptions): Promise<Alert> {
    return this.http.json({ method: "POST", path: `v1/alerts/${seg(id)}/read`, options });
  }
}
