import type { RequestOptions } from "../core/http.js";
import { Page, toPage } from "../core/pagination.js";
import type { Subscription, SubscriptionChange, SubscriptionChangeAnswer, SubscriptionCreate } from "../types.js";
import { Resource, seg } from "./resource.js";

/** Subscriptions: put a customer on a plan, change it with proration, cancel it. */
export class Subscriptions extends Resource {
  /** Puts a customer on a plan's newest version (201). */
  create(params: SubscriptionCreate, options?: RequestOptions): Promise<Subscription> {
    return this.http.json({ method: "POST", path: "v1/subscriptions", body: params, options });
  }

  get(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.http.json({ method: "GET", path: `v1/subscriptions/${seg(id)}`, options });
  }

  /** The customer's subscriptions, newest first. */
  async list(params: { customer: string; limit?: number; cursor?: string }, options?: RequestOptions): Promise<Page<Subscription>> {
    const { customer, ...query } = params;
    const load = async (cursor?: string): Promise<Page<Subscription>> => toPage<Subscription>(
      await this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/subscriptions`, query: { ...query, cursor: cursor ?? query.cursor }, options }),
      "subscriptions", load);
    return load();
  }

  /** Changes the plan or billing period: an upgrade at once with proration, a downgrade at period end unless asked otherwise. */
  change(id: string, params: SubscriptionChange, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.http.json({ method: "POST", path: `v1/subscriptions/${seg(id)}/change`, body: params, options });
  }

  /** What `change` would do, changing nothing. */
  preview(id: string, params: SubscriptionChange, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.http.json({ method: "POST", path: `v1/subscriptions/${seg(id)}/change/preview`, body: params, options });
  }

  /** Cancels at period end (the default, undoable until then) or now (`atPeriodEnd: false`). */
  cancel(id: string, params: { atPeriodEnd?: boolean; creditUnused?: boolean } = {}, options?: RequestOptions): Promise<SubscriptionChangeAnswer> {
    return this.http.json({ method: "POST", path: `v1/subscriptions/${seg(id)}/cancel`, body: params, options });
  }

  /** Takes back a cancel at period end. */
  undoCancel(id: string, options?: RequestOptions): Promise<Subscription> {
    return this.http.json({ method: "POST", path: `v1/subscriptions/${seg(id)}/undo-cancel`, options });
  }
}
