import { createAuthClient } from "better-auth/react";

// Same-origin: the client talks to /api/auth on the host that served the page.
export const authClient = createAuthClient();
