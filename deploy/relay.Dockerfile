# syntax=docker/dockerfile:1
# The ridevault relay as a small production image, serving the example app at / too. Build
# it from the repository root (deploy/relay.Dockerfile.dockerignore keeps node_modules,
# dist and .git out of the context):
#   docker build -f deploy/relay.Dockerfile -t ridevault-relay .
#   docker run -d -p 8787:8787 -v ridevault-data:/data \
#     -e RIDEVAULT_ALLOWED_ORIGINS=https://sync.example.org ridevault-relay
# It listens on 0.0.0.0:8787 (PORT, as Fly.io and Railway set it, or RIDEVAULT_PORT
# change the port), keeps its SQLite files in /data (RIDEVAULT_DATA_DIR: mount a volume
# there), and needs accounts (a public relay). DATABASE_URL selects PostgreSQL instead.
# packages/relay/test/deploy-files.test.ts checks these facts against the relay's code, and
# starts the relay the way ENTRYPOINT and CMD below do. docs/deploy.md walks through it.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# better-sqlite3 fetches a prebuilt addon for this Node; the compilers are the fallback.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# pnpm as pinned in package.json ("packageManager").
RUN corepack enable && corepack prepare pnpm@12.4.2 --activate
# Manifests first: the dependency layer is rebuilt only when they or the lockfile change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/recorder/package.json packages/recorder/
COPY packages/relay/package.json packages/relay/
COPY examples/pwa/package.json examples/pwa/
COPY examples/cli/package.json examples/cli/
RUN pnpm install --frozen-lockfile
COPY . .
# The relay (and core), the recorder the app needs, then the app itself (Vite).
RUN pnpm exec tsc -b packages/relay packages/recorder \
  && pnpm --filter @ridevault/example-pwa build
# A self-contained copy of the relay with its production dependencies only. Core declares
# vitest and fast-check as optional peers (for "@ridevault/core/testing"), which the shared
# lockfile resolves; the relay never loads them, so their ~50 MB of test tooling goes.
RUN pnpm --filter @ridevault/relay --prod deploy --legacy /out/relay \
  && cd /out/relay/node_modules/.pnpm \
  && rm -rf vitest@* @vitest+* vite@* rolldown@* @rolldown+* lightningcss* esbuild@* @esbuild+*

FROM ${NODE_IMAGE}
# Builds for Fly.io and Railway set RUN_AS=root: their volumes are mounted root-owned over
# /data, so the entrypoint starts as root, hands /data to "node" and drops to it. The
# relay itself always runs as "node" (uid 1000).
ARG RUN_AS=node
ENV NODE_ENV=production \
    RIDEVAULT_HOST=0.0.0.0 \
    RIDEVAULT_DATA_DIR=/data \
    RIDEVAULT_ACCOUNTS=required
WORKDIR /app
COPY --from=build /out/relay /app/relay
COPY --from=build /src/examples/pwa/dist /app/public
COPY deploy/relay-entrypoint.sh /usr/local/bin/ridevault-entrypoint
RUN chmod 0755 /usr/local/bin/ridevault-entrypoint \
  && mkdir -p /data \
  && chown node:node /data
USER ${RUN_AS}
EXPOSE 8787
# The port as the relay reads it: RIDEVAULT_PORT, else PORT, else 8787.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const p = process.env.RIDEVAULT_PORT || process.env.PORT || 8787; fetch(`http://127.0.0.1:${p}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/ridevault-entrypoint"]
CMD ["node", "relay/dist/main.js", "--app-dir", "public"]
