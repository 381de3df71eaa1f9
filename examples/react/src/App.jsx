import { useState } from "react";
import { ManageBilling, Paywall, PricingTable, TollgateProvider, UsageMeter, useEntitlement, useTollgate, useUpcomingInvoice, money } from "@tollgate/react";

export function App({ config }) {
  const [theme, setTheme] = useState("light");
  // The app's backend mints the token with its secret key; the browser only ever holds the session token.
  const getSession = () => fetch(`/api/session?user=${encodeURIComponent(config.user)}`, { method: "POST", signal: AbortSignal.timeout(10_000) })
    .then((r) => { if (!r.ok) throw new Error(`session: ${r.status}`); return r.json(); });
  return (
    <div className="page" data-theme={theme}>
      <TollgateProvider baseUrl={config.tollgateUrl} getSession={getSession} visitorId={config.visitorId}>
        <header className="bar">
          <h1>Career coach</h1>
          <div className="bar__actions">
            <button type="button" className="ghost" onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
              aria-pressed={theme === "dark"}>Dark theme</button>
            <RefreshButton />
            <ManageBilling />
          </div>
        </header>
        <main>
          <section aria-labelledby="usage-title" className="card">
            <h2 id="usage-title">Your usage</h2>
            <UsageMeter feature="cv_generate" />
            <UsageMeter feature="mock_interview" />
            <CvNumbers />
            <NextInvoice />
          </section>
          <section aria-labelledby="builder-title" className="card">
            <h2 id="builder-title">CV builder</h2>
            <Paywall feature="cv_generate" loading={<p>Checking your plan…</p>}
              fallback={<p className="locked" role="status">You have used your CVs for this month. Upgrade to write more.</p>}>
              <p className="open" role="status">Write a new CV: the builder is open.</p>
            </Paywall>
          </section>
          <section aria-labelledby="plans-title">
            <h2 id="plans-title">Plans</h2>
            <PricingTable />
          </section>
        </main>
      </TollgateProvider>
    </div>
  );
}

function RefreshButton() {
  const { refresh } = useTollgate();
  return <button type="button" className="ghost" onClick={() => void refresh()}>Refresh</button>;
}

function CvNumbers() {
  const cv = useEntitlement("cv_generate");
  if (cv.loading) return null;
  return <p className="numbers" data-testid="cv-numbers">{cv.remaining ?? "∞"} CVs left of {cv.limit ?? "unlimited"}</p>;
}

function NextInvoice() {
  const { invoice, loading } = useUpcomingInvoice();
  if (loading) return null;
  return <p className="numbers">{invoice ? `Next invoice: ${money(invoice.amountDueCents, invoice.currency)}` : "No invoice coming up"}</p>;
}
