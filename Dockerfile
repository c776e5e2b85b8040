# syntax=docker/dockerfile:1
# antring-bridge, production image:   docker build -t antring-bridge .
#
# Stage "build" compiles the TypeScript with the dev dependencies; stage "runtime" holds only dist/, the demo pages
# and the production dependencies, and runs as the unprivileged `node` user. No secret is baked in: credentials come
# from the environment at `docker run` (docs/deploy.md). Without AntRing credentials the image starts in demo mode.
# test/deploy/container-recipe.test.ts performs these exact steps outside Docker (it reads this file).
#
# better-sqlite3 (the single node's durable outbox, DATA_DIR) is a native module: `npm ci` fetches its prebuilt binary,
# or compiles it from source (~1.5 min) when none fits or the network cannot fetch it; the compiler (python3, make,
# g++) is installed in the build stage only, and only when missing. The runtime stage installs the production
# dependencies without install scripts and takes the compiled binary from the build stage (same base image, same ABI):
# no compiler in the image. A single node keeps its outbox in /app/data: mount a volume there (docs/deploy.md).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN for t in python3 make g++; do command -v "$t" >/dev/null 2>&1 || missing=1; done; \
    if [ -n "$missing" ]; then apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
      && rm -rf /var/lib/apt/lists/*; fi
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# The outbox's folder, owned by the runtime user once copied (a named volume mounted there inherits it).
RUN mkdir -p data

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node ./node_modules/better-sqlite3/build/Release/better_sqlite3.node
COPY --from=build /app/dist ./dist
COPY client-demo ./client-demo
COPY --from=build --chown=node:node /app/data ./data
ENV DATA_DIR=/app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
