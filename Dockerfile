# syntax=docker/dockerfile:1
# antring-bridge, production image:   docker build -t antring-bridge .
#
# Stage "build" compiles the TypeScript with the dev dependencies; stage "runtime" holds only dist/, the demo pages
# and the production dependencies, and runs as the unprivileged `node` user. No secret is baked in: credentials come
# from the environment at `docker run` (docs/deploy.md). Without AntRing credentials the image starts in demo mode.
# test/deploy/container-recipe.test.ts performs these exact steps outside Docker (it reads this file).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY client-demo ./client-demo
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
