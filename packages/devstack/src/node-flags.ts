// Node options a worker is started with, wherever it is started (`pnpm start`, the benchmarks;
// docker-compose.yml and apps/ingest's `start` script spell the same flag).
//
// The ingest holds each message's objects until its batch commits (tens to hundreds of
// milliseconds under load): with V8's default young generation (16 MB semi-spaces) they outlive a
// scavenge or two and are copied, then promoted. With 32 MB, most died young: GC time per message
// down by about a third, for 30–40 MB more resident memory. With 64 MB the ingest bench measured
// GC pauses at saturation halved again (1.6–1.9 s in its 15 s window to 0.8 s) and the ingest's
// CPU from 0.70–0.73 cores to 0.67 for more messages, for about 20 MB more at peak; 128 MB gained
// nothing more and cost 100 MB.
export const INGEST_NODE_FLAGS = ["--max-semi-space-size=64"] as const;
