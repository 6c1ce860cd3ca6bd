# Kairos on one small VPS: `docker build -t kairos .` then
# `docker run -d -p 3000:3000 -v kairos-data:/data --env-file .env kairos`

FROM node:20-bookworm-slim AS base
WORKDIR /app

# Everything needed to build: dev dependencies, and a compiler for better-sqlite3's native module
# should no prebuilt binary match.
FROM base AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci

FROM deps AS build
COPY . .
RUN npm run build

# Production dependencies only, built against the same Node as the final image.
FROM deps AS production-deps
RUN npm prune --omit=dev

FROM base
ENV NODE_ENV=production \
  PORT=3000 \
  DATABASE_PATH=/data/kairos.db \
  MALLOC_ARENA_MAX=2
RUN mkdir -p /data && chown node:node /data
COPY --from=production-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/build ./build
COPY --from=build --chown=node:node /app/public ./public
COPY --chown=node:node package.json ./
COPY --chown=node:node drizzle ./drizzle
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server migrates the database at boot, then serves. The heap flags and MALLOC_ARENA_MAX are
# npm start's (docs/decisions/017): a live heap of about 40 MB, RSS under 150 MB.
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "build/index.js"]
