// The page docs/sdk-react.md shows: a server component; the components are client components, sessionUrl is a string.
import { Paywall, PricingTable, TollgateProvider, UsageMeter } from "@tollgate/react";
import "@tollgate/react/styles.css";
import { CvBuilder } from "./cv-builder";

export default function CvPage() {
  return (
    <TollgateProvider baseUrl={process.env.NEXT_PUBLIC_TOLLGATE_URL!} sessionUrl="/api/tollgate-session">
      <UsageMeter feature="cv_generate" />
      <Paywall feature="cv_generate" fallback={<PricingTable />}>
        <CvBuilder />
      </Paywall>
    </TollgateProvider>
  );
}
