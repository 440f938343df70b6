# syntax=docker/dockerfile:1
# One image for every Pulseboard service (migrate, ingest, alerter, web); docker-compose.yml picks
# the process with `command` and `working_dir`:
#   migrate  pnpm db:migrate                              (in /app)
#   ingest   node --max-semi-space-size=64 --import tsx src/server.ts   (in /app/apps/ingest)
#   alerter  node --import tsx src/server.ts              (in /app/apps/alerter)
#   web      node --import tsx server.ts                  (in /app/apps/web; the default CMD)
# The workers run their TypeScript through tsx, so the image keeps the full install (dev
# dependencies included).

FROM node:20.20.2-bookworm-slim AS base
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    NEXT_TELEMETRY_DISABLED=1
RUN npm install -g pnpm@10
WORKDIR /app

FROM base AS build
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store
# `next build` needs no database or secrets (apps/web/src/env.ts uses placeholders while building).
RUN pnpm --filter @pulseboard/web build && \
    rm -rf apps/web/.next/cache

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 3001 3002
WORKDIR /app/apps/web
CMD ["node", "--import", "tsx", "server.ts", "--port", "3000", "--hostname", "0.0.0.0"]
