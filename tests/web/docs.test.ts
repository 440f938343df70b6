// The device protocol page over real HTTP against the production server: public (no session), prerendered
// when the app is built, and rendered from docs/device-protocol.md with the protocol's key parts.
import { readFileSync } from "node:fs";
import { REPO_ROOT } from "@pulseboard/devstack/paths";
import { useTestDatabase } from "@pulseboard/devstack/test";
import { reapAll } from "@pulseboard/devstack/test/process";
import { type RunningWeb, startWeb } from "@pulseboard/devstack/test/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const database = useTestDatabase();
let web: RunningWeb;
let html: string;
let response: Response;

beforeAll(async () => {
  web = await startWeb(database.current);
  response = await fetch(`${web.url}/docs/device-protocol`, { redirect: "manual" });
  html = await response.text();
}, 300_000);

afterAll(async () => {
  await web?.stop();
  await reapAll();
});

/** GitHub's heading anchors (what the page gives its headings). */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");

describe("/docs/device-protocol", () => {
  it("is served without a session, as a page built ahead of time", () => {
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("x-nextjs-prerender")).toBeTruthy();
    expect(html).toContain("<title>Device protocol · Pulseboard</title>");
  });

  it("has every section of docs/device-protocol.md as a heading with its anchor", () => {
    const markdown = readFileSync(`${REPO_ROOT}docs/device-protocol.md`, "utf8");
    const headings = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,3} (.+)$/gm)].map((m) =>
      (m[1] as string).trim(),
    );
    expect(headings).toEqual(expect.arrayContaining(["The message body", "MQTT", "HTTP", "Worked example"]));
    for (const heading of headings) expect(html).toContain(`id="${slug(heading)}"`);
  });

  it("holds the protocol's key parts, rendered as HTML rather than Markdown", () => {
    for (const part of [
      // the topic, the HTTP endpoint and its credential
      "devices/&lt;device_key&gt;/readings",
      "POST /v1/readings",
      "Authorization: Bearer &lt;device_key&gt;",
      // the body shapes and their rules
      "&quot;ts&quot;: 1732291200000",
      "&quot;readings&quot;: [",
      "^[A-Za-z0-9_.-]{1,64}$",
      "5 minutes",
      "valid as a whole or refused as a whole",
      "stored once",
      // MQTT: both ways to connect, the acknowledgement after commit
      "not authorized",
      "PUBACK only after the message",
      "$share/ingest/devices/+/readings",
      // the worked example
      "mosquitto_pub -h localhost -p 1883 -u",
      "curl -i -X POST http://localhost:3001/v1/readings",
    ]) {
      expect(html, part).toContain(part);
    }
    for (const status of ["202", "400", "401", "404", "405", "413", "429", "503"]) {
      expect(html, status).toContain(`<code>${status}</code>`);
    }
    expect(html).toMatch(/<div class="table-wrap"><table>/);
    expect(html).toMatch(/<pre><code class="language-sh">/);
    expect(html).not.toContain("```");
    expect(html).not.toMatch(/^\| /m);
  });
});
