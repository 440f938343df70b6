import { ClerkProvider } from "@clerk/nextjs";
import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { env } from "@/env";
import { THEME_COOKIE, themeOf } from "@/lib/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Pulseboard", template: "%s · Pulseboard" },
  description: "Telemetry from your devices, alerts when it matters, and your workouts beside it.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The theme the person picked (or "system": the stylesheet follows prefers-color-scheme).
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  const page = (
    <html lang="en" data-theme={theme}>
      <body>{children}</body>
    </html>
  );
  if (env.AUTH_PROVIDER !== "clerk") return page;
  // The publishable key is read at runtime (not inlined at build), so one build serves both
  // providers. Pages that use Clerk's components read the session, so they render per request.
  return (
    <ClerkProvider
      publishableKey={env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY}
      signInUrl="/sign-in"
      signUpUrl="/sign-up"
      afterSignOutUrl="/sign-in"
      telemetry={false}
    >
      {page}
    </ClerkProvider>
  );
}
