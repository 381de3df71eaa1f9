// One Tollgate client for the whole app, configured from TOLLGATE_API_KEY and TOLLGATE_BASE_URL.
import { Tollgate } from "@tollgate/sdk";

export const tollgate = new Tollgate();
