import type { RequestOptions } from "../core/http.js";
import { randomId } from "../core/ids.js";
import type { Page } from "../core/pagination.js";
import type { DailyUsage, LogFilter, PropertyEvent, RecordedEvent, TrackAnswer, Usage, UsageEvent, UsageHistory, When } from "../types.js";
import { Resource, seg } from "./resource.js";

/** After-the-fact usage: counted, never denied, deduplicated per customer by event id. */
export class Events extends Resource {
  /**
   * Sends up to 1000 events: feature events (`{feature, amount}`), of which one bad event does not reject the others, or
   * events with properties (`{event, properties}`), of which a malformed one fails the call. Ids are generated for events
   * without one.
   */
  async track(events: (UsageEvent | PropertyEvent)[], options?: RequestOptions): Promise<TrackAnswer>;
  /** Sends one event with properties, which the catalog's billable metrics read; an id is generated unless given. */
  async track(
    customer: string, event: string, properties?: Record<string, string | number | boolean>,
    options?: RequestOptions & { id?: string; timestamp?: Date | string },
  ): Promise<TrackAnswer>;
  async track(
    eventsOrCustomer: (UsageEvent | PropertyEvent)[] | string, eventOrOptions?: string | RequestOptions,
    properties?: Record<string, string | number | boolean>, one?: RequestOptions & { id?: string; timestamp?: Date | string },
  ): Promise<TrackAnswer> {
    if (typeof eventsOrCustomer === "string") {
      const { id, timestamp, ...options } = one ?? {};
      const single: PropertyEvent = { id, customer: eventsOrCustomer, event: String(eventOrOptions), timestamp, properties: properties ?? {} };
      return this.track([single], options);
    }
    const options = typeof eventOrOptions === "string" ? undefined : eventOrOptions;
    const withIds = await Promise.all(eventsOrCustomer.map(async (e) => ({ ...e, id: e.id ?? (await randomId("evt_")) })));
    return this.http.json({ method: "POST", path: "v1/events", body: { events: withIds }, options });
  }

  /** Recorded events, newest first; a secret key must name the customer or the member (an admin key reads across customers). */
  list(filter: LogFilter = {}, options?: RequestOptions): Promise<Page<RecordedEvent>> {
    return this.paged("v1/events", filter, options);
  }
}

/** A customer's counters in the current window. */
export class UsageResource extends Resource {
  /** The counters of the window holding `at` (now when left out). */
  get(customer: string, params: { at?: When | undefined } = {}, options?: RequestOptions): Promise<Usage> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/usage`, query: params, options });
  }

  /** Units per day (or month) per feature from the daily rollup; every period is present, 0 when unused. */
  history(
    customer: string, params: { feature?: string | undefined; from?: When | undefined; to?: When | undefined; granularity?: "day" | "month" | undefined } = {}, options?: RequestOptions,
  ): Promise<UsageHistory> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/usage/history`, query: params, options });
  }

  /** Units and customers per feature and day across every customer (an admin key). */
  daily(params: { feature?: string | undefined; from?: When | undefined; to?: When | undefined } = {}, options?: RequestOptions): Promise<DailyUsage> {
    return this.http.json({ method: "GET", path: "v1/admin/usage/daily", query: params, options });
  }
}
