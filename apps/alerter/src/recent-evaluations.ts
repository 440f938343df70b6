// Devices this alerter evaluated from an evaluation message in the last few seconds. A sweep leaves
// them out: their rules were judged on their newest readings just now, and the sweep is for what
// messages cannot see (windows emptying as time passes, silent devices, lost messages). Under load
// that is nearly every device, and the sweep would otherwise evaluate the whole fleet a second
// time in a burst that holds the messages behind it up. A device silent since is swept at the
// next sweep (up to RECENT_EVALUATION_MS later than without this). Per process: another alerter's
// evaluations are not known here, so their devices are swept as before.

/** How recent a message's evaluation must be for a sweep to leave its device out. */
export const RECENT_EVALUATION_MS = 10_000;

export class RecentEvaluations {
  private readonly at = new Map<string, number>();

  /** The devices were evaluated, every rule of each, from an instant no earlier than `at` (ms). */
  record(deviceIds: readonly string[], at: number): void {
    for (const id of deviceIds) {
      this.at.delete(id);
      this.at.set(id, at);
    }
  }

  /** The devices a sweep at `now` evaluates; forgets what is no longer recent. */
  dueForSweep(deviceIds: readonly string[], now: number): string[] {
    for (const [id, at] of this.at) {
      if (isRecent(at, now)) break; // kept in record order: the rest are newer
      this.at.delete(id);
    }
    return deviceIds.filter((id) => {
      const at = this.at.get(id);
      return at === undefined || !isRecent(at, now);
    });
  }

  get size(): number {
    return this.at.size;
  }
}

/** Whether an evaluation from `at` still counts as recent at `now` (a clock gone back: not recent). */
export function isRecent(at: number, now: number): boolean {
  return now >= at && now - at < RECENT_EVALUATION_MS;
}
