/** Words and numbers the components show; pure functions, so server and browser render the same text. */

const DAY = 86_400_000;

const RESET_WORDS: Record<string, string> = {
  day: "today", week: "this week", month: "this month", year: "this year", billing_period: "this billing period", never: "in total",
};

/**
 * "this month", "this week", "today"… from the plan feature's `reset` when known (the pricing API says it); else guessed
 * from the window's bounds, which a plan change can shorten; "in total" without an end.
 */
export function windowWords(windowStart: string | null | undefined, resetsAt: string | null | undefined, reset?: string | null): string {
  if (reset && RESET_WORDS[reset]) return RESET_WORDS[reset];
  if (!resetsAt) return "in total";
  if (!windowStart) return "this period";
  const days = (Date.parse(resetsAt) - Date.parse(windowStart)) / DAY;
  if (days <= 1.01) return "today";
  if (days <= 7.01) return "this week";
  if (days >= 27.9 && days <= 31.1) return "this month";
  if (days >= 364.9 && days <= 366.1) return "this year";
  return "this period";
}

/** "Dec 1" (UTC: the instants Tollgate answers are UTC, and a window resets at UTC midnight), with the year when not this one. */
export function shortDate(instant: string, now: Date = new Date(), locale = "en-US"): string {
  const date = new Date(instant);
  const sameYear = date.getUTCFullYear() === now.getUTCFullYear();
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC", ...(sameYear ? {} : { year: "numeric" }) })
    .format(date);
}

/** Whole numbers with grouping, never wrapped or shortened: 12,500. */
export function count(value: number, locale = "en-US"): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

export type MeterNumbers = {
  used: number; limit: number | null; unlimited: boolean; windowStart?: string | null; resetsAt?: string | null;
  /** The plan feature's reset ("month", "week"…), from the pricing API. */
  reset?: string | null;
};

/** "12 of 50 CVs this month, resets Dec 1"; "12 CVs this month (unlimited)"; "12 of 100 credits in total". */
export function meterLabel(numbers: MeterNumbers, unit: string, now: Date = new Date(), locale = "en-US"): string {
  const window = windowWords(numbers.windowStart, numbers.resetsAt, numbers.reset);
  const resets = numbers.resetsAt ? `, resets ${shortDate(numbers.resetsAt, now, locale)}` : "";
  if (numbers.unlimited || numbers.limit === null) return `${count(numbers.used, locale)} ${unit} ${window} (unlimited)${resets}`;
  return `${count(numbers.used, locale)} of ${count(numbers.limit, locale)} ${unit} ${window}${resets}`;
}

/** How full a meter is, 0 to 100 (past a soft cap it stays at 100). */
export function percent(used: number, limit: number | null): number {
  if (!limit || limit <= 0) return 0;
  return Math.min(100, Math.round((used / limit) * 100));
}

/** Minor units as money: 2999 USD is "$29.99", 500 JPY is "¥500" (the currency's own digits). */
export function money(cents: number, currency: string, locale = "en-US"): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(cents / 10 ** digits);
}
