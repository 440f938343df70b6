// Value-axis ticks for the charts: round steps (1, 2, 2.5, 5 × 10^n), a bounded number of them
// whatever the range. Ranges narrower than the values' precision (one ulp apart) or wider than a
// double can step through fall back to the two ends instead of looping.

/** Never more ticks than this, whatever the range. */
export const MAX_TICKS = 12;

export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const [low, high] = min < max ? [min, max] : [max, min];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const first = Math.ceil(low / step);
  const last = Math.floor(high / step + 1e-9);
  // Index arithmetic past 2^53 stops advancing (the one-ulp range): the ends are all there is.
  const countable =
    Number.isFinite(step) && step > 0 && Math.abs(first) < 2 ** 52 && Math.abs(last) < 2 ** 52;
  if (!countable || last - first + 1 > MAX_TICKS) return [low, high];
  const ticks = new Set<number>();
  for (let i = first; i <= last; i++) ticks.add(Number((i * step).toPrecision(12)));
  return [...ticks];
}
