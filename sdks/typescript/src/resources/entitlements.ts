import type { RequestOptions } from "../core/http.js";
import { randomId } from "../core/ids.js";
import type { Decision, Entitlements as EntitlementList, ReservationAnswer } from "../types.js";
import { Resource, seg } from "./resource.js";

export type UseParams = { customer: string; feature: string; amount?: number | undefined };
export type ConsumeParams = UseParams & {
  /** A retry with the same key returns the first answer and counts nothing; generated when left out, so the SDK's own retries count once. */
  idempotencyKey?: string | undefined;
  /** String pairs (endpoint, IP, user agent) kept on a usage record that `events.list` shows; a reservation's goes on its commit's. */
  metadata?: Record<string, string> | undefined;
};
export type ReserveParams = ConsumeParams & { ttlSeconds?: number | undefined };

/** A granted hold: settle it with `commit(actual)` or give it back with `release()`. */
export class Reservation {
  /** The reservation's id; null when nothing needed holding (a boolean feature). */
  readonly id: string | null;
  readonly expiresAt: string | null;
  /** The decision, with the held units in `reserved`. */
  readonly entitlement: Decision;

  constructor(private readonly owner: EntitlementsResource, answer: ReservationAnswer, private readonly amount: number) {
    this.id = answer.id;
    this.expiresAt = answer.expiresAt;
    this.entitlement = answer.entitlement;
  }

  /** Settles to the units really used (the amount reserved when left out); more than held must fit the quota again. */
  commit(amount: number = this.amount, options?: RequestOptions): Promise<Decision> {
    return this.id === null ? Promise.resolve(this.entitlement) : this.owner.commit(this.id, amount, options);
  }

  /** Gives the held units back. */
  release(options?: RequestOptions): Promise<Decision> {
    return this.id === null ? Promise.resolve(this.entitlement) : this.owner.release(this.id, options);
  }
}

/** The real-time decision: check, consume, and reserve then commit or release. */
export class EntitlementsResource extends Resource {
  /** May the customer use `amount` units now? Counts nothing. */
  check(params: UseParams, options?: RequestOptions): Promise<Decision> {
    return this.http.json({ method: "POST", path: "v1/entitlements/check", body: { amount: 1, ...params }, options });
  }

  /** Uses units atomically: QuotaExceededError past a hard cap, FeatureNotInPlanError when the plan lacks the feature. */
  async consume(params: ConsumeParams, options?: RequestOptions): Promise<Decision> {
    const body = { amount: 1, ...params, idempotencyKey: params.idempotencyKey ?? (await randomId("idem_")) };
    return this.http.json({ method: "POST", path: "v1/entitlements/consume", body, options });
  }

  /** Holds units before work whose size is known after it; they count against the quota at once. */
  async reserve(params: ReserveParams, options?: RequestOptions): Promise<Reservation> {
    const body = { amount: 1, ...params, idempotencyKey: params.idempotencyKey ?? (await randomId("idem_")) };
    return new Reservation(this, await this.http.json<ReservationAnswer>({ method: "POST", path: "v1/entitlements/reserve", body, options }), body.amount);
  }

  /** Settles a reservation to the units really used. Committing twice answers as the first time did. */
  commit(reservationId: string, amount: number, options?: RequestOptions): Promise<Decision> {
    return this.http.json({ method: "POST", path: `v1/reservations/${seg(reservationId)}/commit`, body: { amount }, options });
  }

  /** Gives a reservation's units back. */
  release(reservationId: string, options?: RequestOptions): Promise<Decision> {
    return this.http.json({ method: "POST", path: `v1/reservations/${seg(reservationId)}/release`, options });
  }

  /** Every catalog feature's access for the customer, with limit, used and remaining or value. */
  get(customer: string, options?: RequestOptions): Promise<EntitlementList> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(customer)}/entitlements`, options });
  }
}
