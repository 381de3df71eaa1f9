/** One page of a list, `{data, has_more, next_cursor}` on the wire; `for await` walks every item of every page. */
export class Page<T> implements AsyncIterable<T> {
  constructor(
    readonly data: T[],
    readonly hasMore: boolean,
    readonly nextCursor: string | null,
    private readonly fetchPage: (cursor: string) => Promise<Page<T>>,
  ) {}

  /** The next page, or null on the last one. */
  async nextPage(): Promise<Page<T> | null> {
    return this.hasMore && this.nextCursor ? this.fetchPage(this.nextCursor) : null;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (let page: Page<T> | null = this; page; page = await page.nextPage()) yield* page.data;
  }

  /** Every item of every page, in order. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

/**
 * Reads a list answer in any shape the server gives: the paged `{data, hasMore, nextCursor}`, a bare array, or an
 * object holding the array under `key` (the older `{invoices: [...]}` shape), each of the last two as one whole page.
 */
export function toPage<T>(answer: unknown, key: string | undefined, fetchPage: (cursor: string) => Promise<Page<T>>): Page<T> {
  if (Array.isArray(answer)) return new Page(answer as T[], false, null, fetchPage);
  const object = (answer ?? {}) as Record<string, unknown>;
  if (Array.isArray(object.data)) {
    return new Page(object.data as T[], object.hasMore === true, (object.nextCursor as string | null) ?? null, fetchPage);
  }
  const items = key !== undefined && Array.isArray(object[key]) ? (object[key] as T[]) : [];
  return new Page(items, false, null, fetchPage);
}
