import type { RequestOptions } from "../core/http.js";
import { randomId } from "../core/ids.js";
import type { TrackAnswer, Usage, UsageEvent } from "../types.js";
import { Resource, seg } from "./resource.js";

/** After-the-fact usage: counted, never denied, deduplicated per customer by event id. */
export class Events extends Resource {
  /** Sends up to 1000 events; one bad event does not reject the others. Ids are generated for events without one. */
  async track(events: UsageEvent[], options?: RequestOptions): Promise<TrackAnswer> {
    const withIds = await Promise.all(events.map(async (e) => ({ ...e, id: e.id ?? (await randomId("evt_")) })));
    return this.http.json({ method: "POST", path: "v1/events", body: { events: withIds }, options });
  }
}

/** A customer's counters in the current window. */
export class UsageResource extends Resource {
  get(customer: string, options?: RequestOptions): Promise<Usage> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/usage`, options });
  }
}
