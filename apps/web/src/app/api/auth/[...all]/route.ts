import { toNextJsHandler } from "better-auth/next-js";
import { env } from "@/env";

// Better Auth's endpoints (sign-up, sign-in, sign-out, sessions); not there under Clerk, whose
// own servers sign users in. Loaded on first use, so a Clerk deployment never builds Better Auth.
const notFound = async () => Response.json({ error: "not found" }, { status: 404 });
let loaded: Promise<ReturnType<typeof toNextJsHandler>> | undefined;
const handlers = () => {
  loaded ??= import("@/lib/auth").then(({ auth }) => toNextJsHandler(auth));
  return loaded;
};

export async function GET(request: Request): Promise<Response> {
  return env.AUTH_PROVIDER === "clerk" ? notFound() : (await handlers()).GET(request);
}

export async function POST(request: Request): Promise<Response> {
  return env.AUTH_PROVIDER === "clerk" ? notFound() : (await handlers()).POST(request);
}
