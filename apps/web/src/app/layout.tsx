import { ClerkProvider } from "@clerk/nextjs";
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { env } from "@/env";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Pulseboard", template: "%s · Pulseboard" },
  description: "Telemetry from your devices, alerts when it matters, and your workouts beside it.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  const page = (
    <html lang="en">
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
