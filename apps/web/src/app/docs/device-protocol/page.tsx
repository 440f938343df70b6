import type { Metadata } from "next";
import Link from "next/link";
import { renderDoc } from "../markdown";

// docs/device-protocol.md as a public page (no session: src/proxy.ts only guards /dashboard and
// /settings), rendered once when the app is built.
export const dynamic = "force-static";

export const metadata: Metadata = {
  title: "Device protocol",
  description: "How devices send readings to Pulseboard over MQTT or HTTP.",
};

export default function DeviceProtocolPage() {
  const html = renderDoc("device-protocol.md");
  return (
    <>
      <header className="topbar">
        <div className="topbar-inner">
          <Link className="brand" href="/">
            Pulseboard
          </Link>
          <span className="doc-label">Documentation</span>
        </div>
      </header>
      <main className="page">
        <article
          className="doc card"
          data-testid="doc"
          // The repository's own docs/, rendered at build time: trusted HTML.
          dangerouslySetInnerHTML={{ __html: html }}
        />
      </main>
    </>
  );
}
