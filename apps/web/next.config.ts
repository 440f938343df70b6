import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // A build of its own for tests that build while a dev server runs (NEXT_DIST_DIR).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Workspace packages export TypeScript source; Next compiles them with the app.
  transpilePackages: ["@pulseboard/schema", "@pulseboard/runtime"],
  // pino's worker-thread transports must not be bundled.
  serverExternalPackages: ["pino", "pino-pretty"],
  poweredByHeader: false,
  // On every response, pages and API alike: no framing (clickjacking), no MIME sniffing, and no
  // full URL (ids, ?next=) leaked to other sites in Referer.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
