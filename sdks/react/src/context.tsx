"use client";

import { AuthenticationError, Tollgate } from "@tollgate/sdk";
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from "react";
import { SessionKeeper, type SessionGrant } from "./session.js";
import { ResourceStore } from "./store.js";

export type TollgateProviderProps = {
  /** The Tollgate server the browser reaches, such as https://billing.example.com (its CORS settings must allow this page). */
  baseUrl: string;
  /**
   * Fetches a customer session token from your backend, which mints it with its secret key
   * (`tg.customers.createSession(userId)`). Leave it out on pages for signed-out visitors: the pricing table still shows.
   */
  getSession?: () => Promise<SessionGrant>;
  /**
   * In place of getSession: a URL of your backend that answers a POST with the session (same-origin, cookies sent). A
   * string, so a server component (a Next.js page) can render the provider.
   */
  sessionUrl?: string;
  /** The pricing visitor id, so the pricing table shows this visitor's price-experiment variant and checkout keeps it. */
  visitorId?: string;
  /** How to go to Checkout or the portal (window.location.assign); a router's push, or a new tab, instead. */
  navigate?: (url: string) => void;
  /** Revalidate what is shown when the window regains focus (true). */
  revalidateOnFocus?: boolean;
  children?: ReactNode;
};

/** What the hooks and components use: calls with the session, the shared cache, and refresh. */
export type TollgateContextValue = {
  baseUrl: string;
  visitorId: string | undefined;
  signedIn: boolean;
  store: ResourceStore;
  /** Leaves for Checkout or the portal. */
  navigate(url: string): void;
  /** Runs a call as the signed-in customer; a token the server calls expired is renewed once and the call repeated. */
  asCustomer<T>(call: (tg: Tollgate, customer: string) => Promise<T>): Promise<T>;
  /** Runs a call that needs no key (the public pricing API). */
  anonymous<T>(call: (tg: Tollgate) => Promise<T>): Promise<T>;
  /** Reads everything shown again: call it after your backend consumed usage, so meters and paywalls move. */
  refresh(): Promise<void>;
};

const Context = createContext<TollgateContextValue | null>(null);

/** Strips any key: public reads must not carry one, even where TOLLGATE_API_KEY is set (a server render). */
const keyless = (input: string | URL | Request, init?: RequestInit) => {
  const headers = new Headers(init?.headers);
  headers.delete("authorization");
  return globalThis.fetch(input, { ...init, headers });
};

export function TollgateProvider({ baseUrl, getSession, sessionUrl, visitorId, navigate, revalidateOnFocus = true, children }: TollgateProviderProps) {
  // The latest callback without re-creating the keeper on every render (apps often pass an inline function).
  const sessionSource = useRef(getSession);
  sessionSource.current = getSession ?? (sessionUrl === undefined ? undefined : () => postForSession(sessionUrl));
  const signedIn = getSession !== undefined || sessionUrl !== undefined;
  const navigateTo = useRef(navigate);
  navigateTo.current = navigate;

  const value = useMemo<TollgateContextValue>(() => {
    const keeper = new SessionKeeper(() => {
      const source = sessionSource.current;
      if (!source) return Promise.reject(new Error("TollgateProvider has no getSession: this needs a signed-in customer"));
      return source();
    });
    const store = new ResourceStore();
    const client = (token: string) => new Tollgate({ apiKey: token, baseUrl, maxRetries: 1, timeout: 15_000 });
    return {
      baseUrl, visitorId, signedIn, store,
      navigate: (url) => (navigateTo.current ?? ((to: string) => window.location.assign(to)))(url),
      async asCustomer(call) {
        const session = await keeper.current();
        try {
          return await call(client(session.token), customerOf(session.customer));
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
          const renewed = await keeper.renew(session); // expired or revoked on the server: one new token, one more try
          return await call(client(renewed.token), customerOf(renewed.customer));
        }
      },
      anonymous: (call) => call(new Tollgate({ baseUrl, maxRetries: 1, timeout: 15_000, fetch: keyless })),
      refresh: () => store.revalidate(),
      keeper,
    } as TollgateContextValue & { keeper: SessionKeeper };
  }, [baseUrl, visitorId, signedIn]);

  useEffect(() => {
    const { keeper } = value as TollgateContextValue & { keeper: SessionKeeper };
    keeper.resume();
    return () => keeper.stop();
  }, [value]);

  // Revalidation on focus: after the user consumed something in another tab, or came back to this one.
  useEffect(() => {
    if (!revalidateOnFocus || typeof window === "undefined") return;
    let last = 0;
    const onFocus = () => {
      if (document.visibilityState === "hidden" || Date.now() - last < 2_000) return;
      last = Date.now();
      void value.refresh();
    };
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onFocus);
    return () => {
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onFocus);
    };
  }, [value, revalidateOnFocus]);

  return <Context.Provider value={value}>{children}</Context.Provider>;
}

async function postForSession(url: string): Promise<SessionGrant> {
  const answer = await fetch(url, { method: "POST", credentials: "same-origin", signal: AbortSignal.timeout(15_000) });
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}: the app's backend did not mint a customer session`);
  return (await answer.json()) as SessionGrant;
}

function customerOf(customer: string | null): string {
  if (!customer) throw new Error("getSession must return the session's customer (the body of POST /v1/customers/{id}/sessions)");
  return customer;
}

/** The provider's value; throws outside a TollgateProvider, which is always a mistake. */
export function useTollgate(): TollgateContextValue {
  const value = useContext(Context);
  if (!value) throw new Error("Tollgate hooks and components must be inside <TollgateProvider>");
  return value;
}
