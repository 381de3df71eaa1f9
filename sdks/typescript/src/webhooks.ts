import { webCrypto } from "./core/ids.js";
import { WebhookSignatureError } from "./errors.js";
import type { WebhookEvent } from "./types.js";

/** The header Tollgate signs webhooks with: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, one v1 per active secret. */
export const SIGNATURE_HEADER = "Tollgate-Signature";

export type VerifyOptions = {
  /** How far `t` may be from now, in seconds, either way (300). */
  tolerance?: number | undefined;
  /** The time to check against (now); set it to the test clock's time when Tollgate runs one. */
  now?: Date | undefined;
};

const encoder = new TextEncoder();

async function key(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return (await webCrypto()).subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

const bytesOf = (payload: string | Uint8Array) => (typeof payload === "string" ? encoder.encode(payload) : payload);

function signed(t: string, payload: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${t}.`);
  const body = bytesOf(payload);
  const all = new Uint8Array(head.length + body.length);
  all.set(head);
  all.set(body, head.length);
  return all;
}

/** The header value for `payload` signed at `timestamp`, as Tollgate makes it; for testing your receiver. */
export async function sign(payload: string | Uint8Array, secret: string, timestamp: Date = new Date()): Promise<string> {
  const t = String(Math.floor(timestamp.getTime() / 1000));
  const mac = new Uint8Array(await (await webCrypto()).subtle.sign("HMAC", await key(secret, "sign"), signed(t, payload)));
  return `t=${t},v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Checks a webhook's Tollgate-Signature against the raw body, byte for byte as received, and parses the event.
 * Throws WebhookSignatureError when the header is missing, has no t or v1, is outside the tolerance, or matches nothing.
 * The comparison is Web Crypto's HMAC verify, which runs in constant time.
 */
export async function verify(
  payload: string | Uint8Array, header: string | null | undefined, secret: string, options: VerifyOptions = {},
): Promise<WebhookEvent> {
  if (!header) throw new WebhookSignatureError(`The ${SIGNATURE_HEADER} header is missing.`);
  // `process.env.SECRET ?? ""` of a missing variable gives one: refused here, as Web Crypto's DOMException is no verdict.
  if (!secret) throw new WebhookSignatureError("The webhook secret is empty; pass the endpoint's secret (whsec_…).");
  let t: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const [name, value] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    if (name === "t") t = value;
    else if (name === "v1") signatures.push(value);
  }
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) {
    throw new WebhookSignatureError(`The ${SIGNATURE_HEADER} header has no timestamp or no v1 signature.`);
  }
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - Number(t)) > (options.tolerance ?? 300)) {
    throw new WebhookSignatureError("The signature's timestamp is outside the tolerance; the request may be a replay.");
  }
  const crypto = await webCrypto();
  const hmac = await key(secret, "verify");
  const data = signed(t, payload);
  for (const hex of signatures) {
    if (!/^[0-9a-f]{64}$/i.test(hex)) continue;
    const mac = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    if (await crypto.subtle.verify("HMAC", hmac, mac, data)) {
      return event(typeof payload === "string" ? payload : new TextDecoder().decode(payload));
    }
  }
  throw new WebhookSignatureError("No v1 signature matches the payload and the secret.");
}

/**
 * The event a signed body holds. Signed with the secret yet no event (a test's "{}", a body that is not JSON) is refused
 * with the same error, so a receiver that answers 400 to it never answers 500.
 */
function event(text: string): WebhookEvent {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new WebhookSignatureError(`The signed body is not JSON: ${(error as Error).message}`);
  }
  const o = body as Record<string, unknown> | null;
  if (o === null || typeof o !== "object" || Array.isArray(o) || !["id", "type", "created_at"].every((k) => typeof o[k] === "string")) {
    throw new WebhookSignatureError("The signed body is not a Tollgate event: it needs string id, type and created_at.");
  }
  const data = o.data !== null && typeof o.data === "object" && !Array.isArray(o.data) ? (o.data as WebhookEvent["data"]) : {};
  return { id: o.id as string, type: o.type as string, createdAt: o.created_at as string, data };
}

/** Webhook verification, as `tg.webhooks` and as the `webhooks` export (no client needed). */
export const webhooks = { verify, sign, SIGNATURE_HEADER } as const;
