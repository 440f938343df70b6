// `pnpm simulate -- --keys dk_a,dk_b --transport mqtt ...`: runs simulated devices until the
// duration, the message count or Ctrl-C, with progress and totals on stderr. Keys are secrets:
// only their first characters are ever printed.
import { ArgsError, parseCliArgs, USAGE } from "./args";
import { maskKey, runSimulation, type SimulationCounters } from "./simulator";

const PROGRESS_EVERY_MS = 5000;
const say = (line: string) => process.stderr.write(`simulate: ${line}\n`);

/** A URL fit for a log line: any password in it replaced. */
function safeUrl(url: string): string {
  const u = new URL(url);
  if (!u.password) return url;
  u.password = "***";
  return u.toString();
}

function errorsLine(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([cause, n]) => `${cause}=${n}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

async function main(): Promise<number> {
  let config: ReturnType<typeof parseCliArgs>;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    say(`${error.message} (--help for usage)`);
    return 2;
  }
  if (!config) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }

  const shown = config.devices.slice(0, 3).map((d) => maskKey(d.key));
  const more = config.devices.length > 3 ? `, +${config.devices.length - 3} more` : "";
  say(
    `${config.devices.length} ${config.devices[0]?.profile} device(s) (${shown.join(", ")}${more}) -> ` +
      `${safeUrl(config.transport.url)} every ${config.intervalMs} ms`,
  );

  const started = Date.now();
  let handle: Awaited<ReturnType<typeof runSimulation>>;
  try {
    handle = await runSimulation(config);
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return 1;
  }

  let last: SimulationCounters = { ...handle.counters };
  let lastAt = Date.now();
  const progress = setInterval(() => {
    const c = handle.counters;
    const seconds = (Date.now() - lastAt) / 1000;
    const rate = (n: number) => Math.round(n / seconds);
    say(
      `${rate(c.sent - last.sent)} sent/s, ${rate(c.acked - last.acked)} acked/s, ` +
        `${rate(c.failed - last.failed)} failed/s${errorsLine(c.errors)}`,
    );
    last = { ...c, errors: { ...c.errors } };
    lastAt = Date.now();
  }, PROGRESS_EVERY_MS);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130); // a second Ctrl-C: do not wait for in-flight messages
    say(`${signal}: stopping`);
    void handle.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const totals = await handle.done;
  clearInterval(progress);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(
    `done in ${seconds} s: ${totals.sent} sent, ${totals.acked} acked (${totals.readingsAcked} readings), ` +
      `${totals.failed} failed, ${totals.skipped} skipped${errorsLine(totals.errors)}`,
  );
  return totals.acked === 0 && totals.sent > 0 ? 1 : 0;
}

process.exitCode = await main();
