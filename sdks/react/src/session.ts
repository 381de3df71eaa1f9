/**
 * Customer session tokens in the browser: fetched from the app's own backend through `getSession`, and renewed before
 * they expire. The backend mints them with its secret key (POST /v1/customers/{id}/sessions); the browser never sees one.
 */

/** What `getSession` returns: the body of POST /v1/customers/{id}/sessions, in camelCase (the SDKs) or snake_case (raw). */
export type SessionGrant = {
  token: string;
  customer?: string;
  expiresAt?: string | number | Date;
  expires_at?: string;
};

export type Session = { token: string; customer: string | null; expiresAt: number };

type Held = { session: Session; renewAt: number };

export type SessionKeeperOptions = {
  /** The clock, in milliseconds (Date.now). */
  now?: () => number;
  /** How long before expiry to renew at most (60 s); a short-lived token renews at four fifths of its life. */
  renewBeforeMs?: number;
  /** How long `getSession` may take (15 s) before it counts as failed. */
  timeoutMs?: number;
};

export class SessionKeeper {
  private held: Held | undefined;
  private inFlight: Promise<Session> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly renewBeforeMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly getSession: () => Promise<SessionGrant>, options: SessionKeeperOptions = {}) {
    this.now = options.now ?? Date.now;
    this.renewBeforeMs = options.renewBeforeMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** A token that is not about to expire: the one held, or a new one. */
  current(): Promise<Session> {
    const held = this.held;
    if (held && this.now() < held.renewAt) return Promise.resolve(held.session);
    return this.renew();
  }

  /**
   * A new token now, after the server said `failed` expired or was revoked; concurrent callers share one fetch. A caller
   * whose token was already replaced (two reads failed on it, and the first renewal ended before the second's answer)
   * gets the replacement, so one expiry mints one token.
   */
  renew(failed?: Session): Promise<Session> {
    const held = this.held;
    if (failed && held && held.session.token !== failed.token) return Promise.resolve(held.session);
    this.inFlight ??= this.fetch().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  /** Stops the renewal timer; the provider calls it when it unmounts. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts the renewal timer again (React's StrictMode unmounts and mounts an effect once in development). */
  resume(): void {
    this.stopped = false;
    if (this.held) this.schedule(this.held.renewAt);
  }

  /** When a session should be replaced: a minute before it expires, or at four fifths of a shorter life. */
  renewAt(session: Session, issuedAt: number = this.now()): number {
    const life = Math.max(0, session.expiresAt - issuedAt);
    return session.expiresAt - Math.min(this.renewBeforeMs, life / 5);
  }

  private async fetch(): Promise<Session> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`getSession took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const grant = await Promise.race([this.getSession(), expired]);
      const issuedAt = this.now();
      const session = toSession(grant, issuedAt);
      this.held = { session, renewAt: this.renewAt(session, issuedAt) };
      this.schedule(this.held.renewAt);
      return session;
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Renews ahead of expiry, so a request rarely waits for a token; a failed renewal is retried on the next request. */
  private schedule(renewAt: number): void {
    if (this.stopped || typeof window === "undefined") return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const wait = Math.max(1_000, renewAt - this.now());
    this.timer = setTimeout(() => { this.renew().catch(() => undefined); }, Math.min(wait, 2_147_483_000));
  }
}

export function toSession(grant: SessionGrant, now: number): Session {
  if (!grant || typeof grant.token !== "string" || grant.token.length === 0) {
    throw new Error("getSession must resolve to { token, expiresAt }: the body of POST /v1/customers/{id}/sessions");
  }

  const raw = grant.expiresAt ?? grant.expires_at;
  const expiresAt = raw === undefined ? now + 15 * 60_000 : raw instanceof Date ? raw.getTime() : typeof raw === "number" ? raw : Date.parse(raw);
  if (!Number.isFinite(expiresAt)) throw new Error(`getSession returned an expiresAt that is not an instant: ${String(raw)}`);
  return { token: grant.token, customer: grant.customer ?? null, expiresAt };
}
