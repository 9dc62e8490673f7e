# updox-sync image: runs the compiled dist/ with production dependencies only, as the unprivileged
# `node` user. One image for every role; the command picks it:
#   docker run … updox-sync migrate | worker | serve | schedule | doctor | <any command>
# Build: docker build -t updox-sync .   (compose: docker compose --profile app up -d)

# 1. Compile (needs the development dependencies: esbuild).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts ./scripts
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
COPY tsconfig.json ./
RUN npm run build

# 2. Production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The runtime: no compiler, no sources, no npm cache.
FROM node:20-bookworm-slim
# Every process's V8 heap is capped at 160 MB and its young generation at 4 MB semi-spaces: their
# work is streamed and paged, so what they keep does not grow with the partner. With the cap V8
# collects before it grows, and the small young generation (V8's default is 16 MB semi-spaces)
# costs no measurable time: a worker peaks at ~200 MB RSS through a 200,000-practice night, ~600 MB
# without either flag. Override NODE_OPTIONS to change them.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=4" \
    UPDOX_SYNC_CONFIG=/app/config/example.yaml \
    HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json package-lock.json ./
COPY bin ./bin
COPY config ./config
COPY examples ./examples
# The demo and the .eml reports write under /app/out; everything else is read-only to the process.
RUN mkdir -p /app/out && chown node:node /app/out
USER node
# serve: HTTP_PORT (webhook, health, metrics, dashboard); worker: METRICS_PORT (its /metrics).
EXPOSE 8080 9464
ENTRYPOINT ["node", "bin/updox-sync.mjs"]
CMD ["worker"]
