# syntax=docker/dockerfile:1
# One image for every Pulseboard service (migrate, ingest, alerter, web); docker-compose.yml picks
# the process with `command` and `working_dir`:
#   migrate  pnpm db:migrate                              (in /app)
#   ingest   node --import tsx src/server.ts              (in /app/apps/ingest)
#   alerter  node --import tsx src/server.ts              (in /app/apps/alerter)
#   web      node node_modules/next/dist/bin/next start   (in /app/apps/web; the default CMD)
# The workers run their TypeScript through tsx, so the image keeps the full install (dev
# dependencies included).

FROM node:20-bookworm-slim AS base
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    NEXT_TELEMETRY_DISABLED=1
RUN npm install -g pnpm@10
WORKDIR /app

FROM base AS build
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store
# `next build` loads the route modules, and the web app validates its environment when they load
# (production mode: the secret and the URLs are required). Placeholders for the build step only;
# they live in this RUN's environment, not in the image, and nothing connects during the build.
RUN DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
    BETTER_AUTH_SECRET=build-time-placeholder-not-a-real-secret-0000 \
    BETTER_AUTH_URL=http://localhost:3000 \
    pnpm --filter @pulseboard/web build && \
    rm -rf apps/web/.next/cache

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 3001 3002
WORKDIR /app/apps/web
CMD ["node", "node_modules/next/dist/bin/next", "start", "--port", "3000", "--hostname", "0.0.0.0"]
