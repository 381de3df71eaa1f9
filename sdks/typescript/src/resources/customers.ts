import type { RequestOptions } from "../core/http.js";
import type { Page } from "../core/pagination.js";
import type { Customer, CustomerDeleted, CustomerSession, CustomerFilter, CustomerUpsert } from "../types.js";
import { Resource, seg } from "./resource.js";

/** Customers, keyed by your own id for them. */
export class Customers extends Resource {
  /** Creates the customer, or updates it; fields left out keep their stored values. */
  upsert(id: string, fields: CustomerUpsert = {}, options?: RequestOptions): Promise<Customer> {
    return this.http.json({ method: "PUT", path: `v1/customers/${seg(id)}`, body: fields, options });
  }

  /** Reads a customer; NotFoundError when there is none. */
  get(id: string, options?: RequestOptions): Promise<Customer> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(id)}`, options });
  }

  /** Customers, newest first: `query` is a prefix of the id, e-mail or name; `plan` and `status` are the newest subscription's. */
  list(filter: CustomerFilter = {}, options?: RequestOptions): Promise<Page<Customer>> {
    return this.paged("v1/customers", filter, options);
  }

  /**
   * A short-lived customer session token for the signed-in customer, to hand to the app's front end (never a secret key):
   * it reads only this customer's entitlements, usage, alerts and invoices and starts its checkout, portal and pack
   * purchase. 15 minutes unless `ttlSeconds` (60 to 86,400) says otherwise.
   */
  createSession(id: string, params: { ttlSeconds?: number | undefined } = {}, options?: RequestOptions): Promise<CustomerSession> {
    return this.http.json({ method: "POST", path: `v1/customers/${seg(id)}/sessions`, body: params, options });
  }

  /** Revokes every live session of the customer at once (after a password change, say); answers how many were live. */
  revokeSessions(id: string, options?: RequestOptions): Promise<{ revoked: number }> {
    return this.http.json({ method: "DELETE", path: `v1/customers/${seg(id)}/sessions`, options });
  }

  /** Revokes one customer session at once; NotFoundError when it is not a live session of the customer. */
  revokeSession(id: string, sessionId: string, options?: RequestOptions): Promise<{ revoked: number }> {
    return this.http.json({ method: "DELETE", path: `v1/customers/${seg(id)}/sessions/${seg(sessionId)}`, options });
  }

  /**
   * GDPR erasure: cancels a live subscription at once (`prorate` credits the unused time; `billUsage: false` waives the
   * period's usage instead of billing it), erases personal data, keeps the id.
   */
  delete(
    id: string, params: { prorate?: boolean | undefined; billUsage?: boolean | undefined } = {}, options?: RequestOptions,
  ): Promise<CustomerDeleted> {
    return this.http.json({ method: "DELETE", path: `v1/customers/${seg(id)}`, query: params, options });
  }

  /** GDPR access: everything stored about the customer as one JSON document (keys in camelCase, as every answer). */
  export(id: string, options?: RequestOptions): Promise<Record<string, unknown>> {
    return this.http.json({ method: "GET", path: `v1/customers/${seg(id)}/export`, options });
  }
}
