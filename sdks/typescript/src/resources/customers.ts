import type { RequestOptions } from "../core/http.js";
import type { Customer, CustomerUpsert } from "../types.js";
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
}
