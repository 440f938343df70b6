import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source; Next compiles them with the app.
  transpilePackages: ["@pulseboard/schema", "@pulseboard/runtime"],
  // pino's worker-thread transports must not be bundled.
  serverExternalPackages: ["pino", "pino-pretty"],
  poweredByHeader: false,
};

export default nextConfig;
