// Node options a worker is started with, wherever it is started (`pnpm start`, the benchmarks;
// docker-compose.yml and apps/ingest's `start` script spell the same flag).
//
// The ingest holds each message's objects until its batch commits (tens to hundreds of
// milliseconds under load): with V8's default young generation (16 MB semi-spaces) they outlive a
// scavenge or two and are copied, then promoted. With 32 MB, most die young; the ingest bench
// measured its GC time per message down by about a third and its CPU per message at saturation
// from 72–75 µs to 57 µs, for 30–40 MB more resident memory.
export const INGEST_NODE_FLAGS = ["--max-semi-space-size=32"] as const;
