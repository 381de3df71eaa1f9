// The backend half: the secret key (TOLLGATE_API_KEY) stays here; the browser gets a customer session token only.
import { Tollgate } from "@tollgate/sdk";

const tg = new Tollgate(); // TOLLGATE_API_KEY and TOLLGATE_BASE_URL from the environment

export async function POST(request: Request) {
  // Replace with your sign-in: the customer id must come from the session cookie, never from the request body.
  const user = request.headers.get("x-demo-user") ?? process.env.DEMO_USER;
  if (!user) return new Response(null, { status: 401 });
  return Response.json(await tg.customers.createSession(user));
}
