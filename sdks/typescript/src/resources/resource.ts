import type { Http, RequestOptions } from "../core/http.js";
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
}

/** A path segment from an id the app chose, escaped. */
/**
 * One path segment, escaped. "." and ".." are refused: a URL resolves them away before it is sent (escaping does not stop
 * that, as %2E is a dot to WHATWG URLs), so a member "..", deleted, was a DELETE of its organisation.
 */
export const seg = (id: string): string => {
  if (id === "." || id === "..") throw new TypeError(`'${id}' cannot be an id in a URL path`);
  return encodeURIComponent(id);
};
