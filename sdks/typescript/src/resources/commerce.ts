import type { RequestOptions } from "../core/http.js";
import type { Page } from "../core/pagination.js";
import type {
  CheckoutSession, Coupon, CouponCreate, CreditGrant, CreditGrantCreate, CreditNote, CreditNoteCreate, CreditPack, Deleted, Experiment, ExperimentCreate,
  ExperimentResults, Member, MemberUpsert, OfferLink, OfferLinkCreate, PackSale, PackSell, PromotionCode, PromotionCodeCreate, TaxRate, TaxRateCreate,
} from "../types.js";
import { Resource, seg } from "./resource.js";

/** Coupons (`/v1/admin/coupons`): an admin key. */
export class Coupons extends Resource {
  /** Exactly one of `percentOff` and `amountOffCents` (with `currency`); `duration` is "once" when left out. */
  create(params: CouponCreate, options?: RequestOptions): Promise<Coupon> {
    return this.http.json({ method: "POST", path: "v1/admin/coupons", body: { duration: "once", ...params }, options });
  }

  get(id: string, options?: RequestOptions): Promise<Coupon> {
    return this.http.json({ method: "GET", path: `v1/admin/coupons/${seg(id)}`, options });
  }

  /** Every coupon, by id. */
  list(params: { limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<Coupon>> {
    return this.paged("v1/admin/coupons", params, options);
  }

  /** It can no longer be redeemed; discounts already made from it keep their terms. */
  delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return this.http.json({ method: "DELETE", path: `v1/admin/coupons/${seg(id)}`, options });
  }
}

/** Promotion codes (`/v1/admin/promotion-codes`): an admin key. */
export class PromotionCodes extends Resource {
  create(params: PromotionCodeCreate, options?: RequestOptions): Promise<PromotionCode> {
    return this.http.json({ method: "POST", path: "v1/admin/promotion-codes", body: params, options });
  }

  /** By its id or by the code itself. */
  get(id: string, options?: RequestOptions): Promise<PromotionCode> {
    return this.http.json({ method: "GET", path: `v1/admin/promotion-codes/${seg(id)}`, options });
  }

  /** Every code, or one coupon's. */
  list(params: { coupon?: string | undefined; limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<PromotionCode>> {
    return this.paged("v1/admin/promotion-codes", params, options);
  }

  deactivate(id: string, options?: RequestOptions): Promise<PromotionCode> {
    return this.http.json({ method: "POST", path: `v1/admin/promotion-codes/${seg(id)}/deactivate`, options });
  }
}

/** Tax rates (`/v1/admin/tax-rates`): an admin key. */
export class TaxRates extends Resource {
  create(params: TaxRateCreate, options?: RequestOptions): Promise<TaxRate> {
    return this.http.json({ method: "POST", path: "v1/admin/tax-rates", body: params, options });
  }

  get(id: string, options?: RequestOptions): Promise<TaxRate> {
    return this.http.json({ method: "GET", path: `v1/admin/tax-rates/${seg(id)}`, options });
  }

  /** Every rate, active or not, by id. */
  list(params: { limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<TaxRate>> {
    return this.paged("v1/admin/tax-rates", params, options);
  }

  /** New invoices stop applying it; issued invoices keep it. */
  deactivate(id: string, options?: RequestOptions): Promise<TaxRate> {
    return this.http.json({ method: "POST", path: `v1/admin/tax-rates/${seg(id)}/deactivate`, options });
  }
}

/** Credit grants: units of a metered feature beyond the plan's limit. */
export class Grants extends Resource {
  /** Grants units; without an `idempotencyKey` one is made, so this call's own retries grant once. */
  create(customer: string, params: CreditGrantCreate, options?: RequestOptions): Promise<CreditGrant> {
    return this.createOnce(`v1/customers/${seg(customer)}/grants`, params, options);
  }

  /** The customer's grants, newest first. */
  list(customer: string, params: { limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<CreditGrant>> {
    return this.paged(`v1/customers/${seg(customer)}/grants`, params, options);
  }

  get(customer: string, id: string, options?: RequestOptions): Promise<CreditGrant> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/grants/${seg(id)}`, options });
  }

  /** What is left stops counting. */
  void(customer: string, id: string, options?: RequestOptions): Promise<CreditGrant> {
    return this.http.json({ method: "POST", path: `v1/customers/${seg(customer)}/grants/${seg(id)}/void`, options });
  }
}

/** The catalog's credit packs, sold to a customer with an invoice and the grant at once. */
export class Packs extends Resource {
  /** The packs, by code. */
  list(params: { limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<CreditPack>> {
    return this.paged("v1/packs", params, options);
  }

  /** Sells a pack; without an `idempotencyKey` one is made, so this call's own retries sell once. */
  sell(customer: string, params: PackSell, options?: RequestOptions): Promise<PackSale> {
    return this.createOnce(`v1/customers/${seg(customer)}/packs`, params, options);
  }

  /**
   * A Stripe Checkout for one pack (the pack's `stripe_price_id`): the grant is made when Stripe reports the payment.
   * A customer session may start its own customer's.
   */
  createCheckoutSession(
    customer: string, params: { pack: string; successUrl: string; cancelUrl: string }, options?: RequestOptions,
  ): Promise<CheckoutSession> {
    return this.http.json({ method: "POST", path: `v1/customers/${seg(customer)}/packs/checkout-sessions`, body: params, options });
  }
}

/** Credit notes: corrections of issued invoices. */
export class CreditNotes extends Resource {
  /** Credits an invoice (id or number): lowers what an open one has due, or becomes customer credit on a paid one. */
  create(invoice: string, params: CreditNoteCreate, options?: RequestOptions): Promise<CreditNote> {
    return this.createOnce(`v1/invoices/${seg(invoice)}/credit-notes`, params, options);
  }

  /** Newest first, narrowed to a customer or an invoice. */
  list(params: { customer?: string | undefined; invoice?: string | undefined; limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<CreditNote>> {
    return this.paged("v1/credit-notes", params, options);
  }

  /**
   * Takes a note's refund as far as Stripe allows now: reads the refund Stripe has, or hands over one Tollgate could not
   * (a call that got no answer). Safe to retry; a note that asked for no refund is a ConflictError (`no_refund`).
   */
  refund(id: string, options?: RequestOptions): Promise<CreditNote> {
    return this.http.json({ method: "POST", path: `v1/credit-notes/${seg(id)}/refund`, options });
  }

  /** One credit note, by id or number (CN-2026-000001). */
  get(id: string, options?: RequestOptions): Promise<CreditNote> {
    return this.http.json({ method: "GET", path: `v1/credit-notes/${seg(id)}`, options });
  }

  /** The credit note as a PDF; an unknown id throws a not-found error. */
  async pdf(id: string, options?: RequestOptions): Promise<Uint8Array> {
    return (await this.http.send({ method: "GET", path: `v1/credit-notes/${seg(id)}/pdf`, options, binary: true })).data as Uint8Array;
  }
}

/** An organisation's (a customer's) members; entitlement calls may name a member in place of the organisation. */
export class Members extends Resource {
  /** Adds the member (a seat on a per-seat price: SeatsExhaustedError when none is left) or updates it. */
  upsert(customer: string, member: string, fields: MemberUpsert = {}, options?: RequestOptions): Promise<Member> {
    return this.http.json({ method: "PUT", path: `v1/customers/${seg(customer)}/members/${seg(member)}`, body: fields, options });
  }

  async delete(customer: string, member: string, options?: RequestOptions): Promise<void> {
    await this.http.send({ method: "DELETE", path: `v1/customers/${seg(customer)}/members/${seg(member)}`, options });
  }

  /** The members, in id order. */
  list(customer: string, params: { limit?: number | undefined; cursor?: string | undefined } = {}, options?: RequestOptions): Promise<Page<Member>> {
    return this.paged(`v1/customers/${seg(customer)}/members`, params, options);
  }
}

/** Price experiments on the pricing page (an admin key): variants of plan prices, split by visitor, with their results. */
export class Experiments extends Resource {
  /** A draft: a `control` variant (the catalog as it is) and challengers with prices; ValidationError naming each bad field. */
  create(params: ExperimentCreate, options?: RequestOptions): Promise<Experiment> {
    return this.http.json({ method: "POST", path: "v1/admin/experiments", body: params, options });
  }

  async list(options?: RequestOptions): Promise<Experiment[]> {
    return (await this.http.json<{ experiments: Experiment[] }>({ method: "GET", path: "v1/admin/experiments", options })).experiments;
  }

  get(id: string, options?: RequestOptions): Promise<Experiment> {
    return this.http.json({ method: "GET", path: `v1/admin/experiments/${seg(id)}`, options });
  }

  /** Starts a draft; ConflictError while another experiment runs. */
  start(id: string, options?: RequestOptions): Promise<Experiment> {
    return this.http.json({ method: "POST", path: `v1/admin/experiments/${seg(id)}/start`, options });
  }

  /** Stops it; with `promote`, that variant's prices become new plan versions (existing subscribers keep what they bought). */
  stop(id: string, params: { promote?: string | undefined } = {}, options?: RequestOptions): Promise<Experiment> {
    return this.http.json({ method: "POST", path: `v1/admin/experiments/${seg(id)}/stop`, body: params, options });
  }

  /** Per variant: visitors, conversions and rate with its Wilson interval, MRR per visitor, and the z-test against control. */
  results(id: string, options?: RequestOptions): Promise<ExperimentResults> {
    return this.http.json({ method: "GET", path: `v1/admin/experiments/${seg(id)}/results`, options });
  }
}

/** Signed, expiring checkout links for one plan (a private plan's offer): an admin key. */
export class OfferLinks extends Resource {
  create(plan: string, params: OfferLinkCreate, options?: RequestOptions): Promise<OfferLink> {
    return this.http.json({ method: "POST", path: `v1/admin/plans/${seg(plan)}/offer-links`, body: params, options });
  }
}
