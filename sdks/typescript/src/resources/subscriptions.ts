import type { RequestOptions } from "../core/http.js";
import type { Page } from "../core/pagination.js";
import type {
  Deleted, Discount, SeatsChange, Subscription, SubscriptionCancel, SubscriptionChange, SubscriptionChangeAnswer, SubscriptionCreate, SubscriptionFilter,
} from "../types.js";
import { Resource, seg } from "./resource.js";

/**
 * Subscriptions: put a customer on a plan, change it with proration, cancel it. Every state change is sent with an
 * Idempotency-Key of its own (or the one in `options.headers`), which its retries repeat.
 */
export class Subscriptions extends Resource {
  /** Puts a customer on a plan's newest version (201). */
  create(params: SubscriptionCreate, options?: RequestOptions): Promise<Subscription> {
    return this.postOnce("v1/subscriptions", params, options);
  }

  get(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.http.json({ method: "GET", path: `v1/subscriptions/${seg(id)}`, options });
  }

  /** Subscriptions across customers (or one `customer`'s), newest first, filtered by `status` and `plan`. */
  list(filter: SubscriptionFilter = {}, options?: RequestOptions): Promise<Page<Subscription>> {
    return this.paged("v1/subscriptions", filter, options);
  }

  /** Changes the plan or billing period: an upgrade at once with proration, a downgrade at period end unless asked otherwise. */
  change(id: string, params: SubscriptionChange, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.postOnce(`v1/subscriptions/${seg(id)}/change`, params, options);
  }

  /** What `change` would do, changing nothing. */
  preview(id: string, params: SubscriptionChange, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.http.json({ method: "POST", path: `v1/subscriptions/${seg(id)}/change/preview`, body: params, options });
  }

  /**
   * Cancels at period end (the default, undoable until then) or now (`atPeriodEnd: false`); `reason` and `comment` are kept
   * on the subscription as `cancelReason` and `cancelComment`.
   */
  cancel(id: string, params: SubscriptionCancel = {}, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.postOnce(`v1/subscriptions/${seg(id)}/cancel`, params, options);
  }

  /** Takes back a cancel at period end. */
  undoCancel(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.postOnce(`v1/subscriptions/${seg(id)}/undo-cancel`, undefined, options);
  }

  /** Seats on a per-seat price: more at once with proration, fewer at the period end unless `effective` says otherwise. */
  changeSeats(id: string, params: SeatsChange, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.postOnce(`v1/subscriptions/${seg(id)}/seats`, params, options);
  }

  /** The subscription's discount; NotFoundError when it has none. */
  getDiscount(id: string, options?: RequestOptions): Promise<Discount> {
    return this.http.json({ method: "GET", path: `v1/subscriptions/${seg(id)}/discount`, options });
  }

  /** Applies a promotion code (any case) or a coupon, replacing the discount it had; PromotionCodeInvalidError when it cannot. */
  applyDiscount(id: string, params: { promotionCode: string } | { coupon: string }, options?: RequestOptions): Promise<Discount> {
    return this.postOnce(`v1/subscriptions/${seg(id)}/discount`, params, options);
  }

  /** Removes the discount; invoices already issued keep theirs. */
  removeDiscount(id: string, options?: RequestOptions): Promise<Deleted> {
    return this.http.json({ method: "DELETE", path: `v1/subscriptions/${seg(id)}/discount`, options });
  }
}
