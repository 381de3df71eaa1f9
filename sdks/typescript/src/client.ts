import { Http, type Fetch } from "./core/http.js";
import { env } from "./core/runtime.js";
import type { CaptureSettings } from "./llm/buffer.js";
import { Alerts, Checkout, Invoices, Portal } from "./resources/billing.js";
import { Coupons, CreditNotes, Experiments, Grants, Members, OfferLinks, Packs, PromotionCodes, TaxRates } from "./resources/commerce.js";
import { Stats } from "./resources/stats.js";
import { Customers } from "./resources/customers.js";
import { EntitlementsResource } from "./resources/entitlements.js";
import { Llm } from "./resources/llm.js";
import { Pricing } from "./resources/pricing.js";
import { Subscriptions } from "./resources/subscriptions.js";
import { Events, UsageResource } from "./resources/usage.js";
import { webhooks } from "./webhooks.js";

export const VERSION = "0.1.0";

export type ClientOptions = {
  /** A secret key (tg_sk_…); TOLLGATE_API_KEY when left out. */
  apiKey?: string | undefined;
  /** The Tollgate server, such as http://localhost:5080; TOLLGATE_BASE_URL, else http://localhost:5080. */
  baseUrl?: string | undefined;
  /** Retries after the first attempt on network errors, 408, 5xx and a 429 without a Tollgate code (2); never on a denial such as rate_limited. */
  maxRetries?: number | undefined;
  /** Milliseconds each attempt may take (30,000). */
  timeout?: number | undefined;
  /** The longest Retry-After, in seconds, worth waiting for before a retry (60); a longer one is thrown at once. */
  maxRetryAfter?: number | undefined;
  /** The fetch to use (the global one). */
  fetch?: Fetch | undefined;
  /** How captured LLM calls are queued and sent. */
  llmCapture?: CaptureSettings | undefined;
};

/** Tollgate's client: `new Tollgate({ apiKey, baseUrl })`, then `tg.entitlements.consume({ customer, feature })`. */
export class Tollgate {
  readonly baseUrl: string;
  readonly customers: Customers;
  readonly subscriptions: Subscriptions;
  readonly entitlements: EntitlementsResource;
  readonly events: Events;
  readonly usage: UsageResource;
  readonly llm: Llm;
  readonly invoices: Invoices;
  readonly portal: Portal;
  readonly checkout: Checkout;
  readonly alerts: Alerts;
  readonly pricing: Pricing;
  readonly webhooks = webhooks;
  readonly coupons: Coupons;
  readonly promotionCodes: PromotionCodes;
  readonly taxRates: TaxRates;
  readonly stats: Stats;
  readonly grants: Grants;
  /** The catalog's credit packs: `list`, `sell`. */
  readonly packs: Packs;
  /** Credit notes: `create`, `list`, `get`. */
  readonly creditNotes: CreditNotes;
  readonly members: Members;
  readonly offerLinks: OfferLinks;
  /** Price experiments (an admin key): `create`, `list`, `get`, `start`, `stop`, `results`. */
  readonly experiments: Experiments;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? env("TOLLGATE_BASE_URL") ?? "http://localhost:5080";
    const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const http = new Http({
      baseUrl: this.baseUrl,
      apiKey: options.apiKey ?? env("TOLLGATE_API_KEY"),
      fetch: baseFetch,
      maxRetries: options.maxRetries ?? 2,
      timeout: options.timeout ?? 30_000,
      maxRetryAfter: options.maxRetryAfter ?? 60,
      userAgent: `tollgate-typescript/${VERSION}`,
    });
    this.customers = new Customers(http);
    this.subscriptions = new Subscriptions(http);
    this.entitlements = new EntitlementsResource(http);
    this.events = new Events(http);
    this.usage = new UsageResource(http);
    this.llm = new Llm(http, options.llmCapture);
    this.invoices = new Invoices(http);
    this.portal = new Portal(http);
    this.checkout = new Checkout(http);
    this.alerts = new Alerts(http);
    this.pricing = new Pricing(http);
    this.coupons = new Coupons(http);
    this.promotionCodes = new PromotionCodes(http);
    this.taxRates = new TaxRates(http);
    this.stats = new Stats(http);
    this.grants = new Grants(http);
    this.packs = new Packs(http);
    this.creditNotes = new CreditNotes(http);
    this.members = new Members(http);
    this.offerLinks = new OfferLinks(http);
    this.experiments = new Experiments(http);
  }
}
