// Days kept by default, the defaults of RAW_RETENTION_DAYS and MINUTE_RETENTION_DAYS (./env.ts).
// A module of its own, importing nothing: the chart's tiers (browser code too) read them.
export const DEFAULT_RAW_RETENTION_DAYS = 30;
export const DEFAULT_MINUTE_RETENTION_DAYS = 400;
