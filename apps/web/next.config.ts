import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A build of its own for tests that build while a dev server runs (NEXT_DIST_DIR).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Workspace packages export TypeScript source; Next compiles them with the app.
  transpilePackages: ["@pulseboard/schema", "@pulseboard/runtime"],
  // pino's worker-thread transports must not be bundled.
  serverExternalPackages: ["pino", "pino-pretty"],
  poweredByHeader: false,
};

export default nextConfig;
