/**
 * A small cache of what the components read, keyed by resource ("entitlements", "usage", "plans:monthly"…): one fetch
 * per key however many components show it, and a revalidation of every key on refresh() and on window focus.
 */

export type ResourceState<T> = { data: T | undefined; error: unknown; loading: boolean };

type Entry = { state: ResourceState<unknown>; loader: () => Promise<unknown>; listeners: Set<() => void>; generation: number };

const LOADING: ResourceState<never> = Object.freeze({ data: undefined, error: undefined, loading: true });

export class ResourceStore {
  private readonly entries = new Map<string, Entry>();

  /** The state to render on the server and before the first load: loading, with no data. */
  static readonly initial = LOADING;

  get<T>(key: string): ResourceState<T> {
    return (this.entries.get(key)?.state ?? LOADING) as ResourceState<T>;
  }

  /** Registers a listener and the key's loader; loads the key when nothing has yet. Returns the unsubscribe. */
  subscribe(key: string, loader: () => Promise<unknown>, listener: () => void): () => void {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { state: LOADING, loader, listeners: new Set(), generation: 0 };
      this.entries.set(key, entry);
      void this.load(key);
    }

    entry.loader = loader;
    entry.listeners.add(listener);
    return () => { entry.listeners.delete(listener); };
  }

  /** Loads the key again, keeping what is shown until the answer arrives (no flash back to loading). */
  async load(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    const generation = ++entry.generation;
    if (entry.state.data === undefined && !entry.state.loading) this.set(entry, { ...entry.state, loading: true });
    try {
      const data = await entry.loader();
      if (generation === entry.generation) this.set(entry, { data, error: undefined, loading: false });
    } catch (error) {
      if (generation === entry.generation) this.set(entry, { data: entry.state.data, error, loading: false });
    }
  }

  /** Reloads every key some component shows; keys nobody listens to any more are dropped. */
  async revalidate(): Promise<void> {
    const keys: string[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.listeners.size === 0) this.entries.delete(key);
      else keys.push(key);
    }

    await Promise.all(keys.map((key) => this.load(key)));
  }

  private set(entry: Entry, state: ResourceState<unknown>): void {
    entry.state = state;
    for (const listener of [...entry.listeners]) listener();
  }
}
