# The relay as a container image, built from the repository root:
#   docker build -f deploy/relay.Dockerfile -t ridevault-relay .
# It serves on 0.0.0.0:8787; give it DATABASE_URL for PostgreSQL (several instances), or a
# volume at /data for the default SQLite store (one instance).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile && pnpm exec tsc -b packages/relay

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    RIDEVAULT_HOST=0.0.0.0 \
    RIDEVAULT_PORT=8787 \
    RIDEVAULT_DATA_DIR=/data
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8787
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8787/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "packages/relay/dist/main.js"]
