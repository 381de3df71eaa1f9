import type { Http } from "../core/http.js";

/** A group of operations on the client, such as `tg.customers`. */
export abstract class Resource {
  constructor(protected readonly http: Http) {}
}

/** A path segment from an id the app chose, escaped. */
export const seg = (id: string) => encodeURIComponent(id);
