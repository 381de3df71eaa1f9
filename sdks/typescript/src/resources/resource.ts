import type { Http, RequestOptions } from "../core/http.js";
import { randomId } from "../core/ids.js";
import { Page, toPage } from "../core/pagination.js";

/** A group of operations on the client, such as `tg.customers`. */
export abstract class Resource {
  constructor(protected readonly http: Http) {}

  /** The first page of a `{data, has_more, next_cursor}` list; the page fetches the next ones with the same filters. */
  protected paged<T>(path: string, query: { cursor?: string | undefined } & Record<string, unknown>, options?: RequestOptions): Promise<Page<T>> {
    const load = async (cursor?: string): Promise<Page<T>> =>
      toPage<T>(await this.http.json({ method: "GET", path, query: { ...query, cursor: cursor ?? query.cursor }, options }), undefined, load);
    return load();
  }

  /**
   * POSTs `params` less its `idempotencyKey`, which goes in the Idempotency-Key header (one made when none is given), so
   * this call's own retries create once: grants, pack sales and credit notes.
   */
  protected async createOnce<T>(path: string, params: { idempotencyKey?: string | undefined }, options?: RequestOptions): Promise<T> {
    const { idempotencyKey, ...body } = params;
    const key = idempotencyKey ?? (await randomId("idem_"));
    return this.http.json({ method: "POST", path, body, options: { ...options, headers: { ...options?.headers, "idempotency-key": key } } });
  }

  /**
   * POSTs a state change under one Idempotency-Key (made here unless `options.headers` names one) that this call's
   * retries repeat: a subscription change whose answer was lost is then answered from Tollgate's record, not refused as
   * a NoChange.
   */
  protected async postOnce<T>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    const named = Object.keys(options?.headers ?? {}).some((name) => name.toLowerCase() === "idempotency-key");
    const headers = named ? options?.headers : { ...options?.headers, "idempotency-key": await randomId("idem_") };
    return this.http.json({ method: "POST", path, body, options: { ...options, headers } });
  }
}

/**
 * One path segment, escaped. "." and ".." are refused: a URL resolves them away before it is sent (escaping does not stop
 * that, as %2E is a dot to WHATWG URLs), so a member "..", deleted, was a DELETE of its organisation.
 */
export const seg = (id: string): string => {
  // An empty id names the collection instead (PUT /v1/customers/ answered 405).
  if (id === "" || id === "." || id === "..") throw new TypeError(`'${id}' cannot be an id in a URL path`);
  return encodeURIComponent(id);
};
