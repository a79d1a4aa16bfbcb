# syntax=docker/dockerfile:1
# One image for every Baton process; the command picks the role:
#   worker (default): node --import tsx worker.ts
#   API:              node --import tsx api/server.ts
# TypeScript runs through tsx (a runtime dependency, as for the `baton` CLI): the sources use
# extensionless ESM imports that plain Node does not resolve, and tsx compiles each file once per
# start. Workflows are bundled here at build time, so workers start without webpack.
# The image never runs the Temporal dev server: set TEMPORAL_ADDRESS to a Temporal cluster.

ARG NODE_IMAGE=node:24-slim

# ── production dependencies ────────────────────────────────────────────────────────────────
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# The postinstall step fetches the Temporal CLI for `npm start`; the image does not need it.
ENV BATON_SKIP_TEMPORAL_SETUP=1 \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
COPY scripts/setup-temporal.mjs scripts/setup-temporal.mjs
# The Temporal core bridge ships native libraries for five platforms; keep this one (~110 MB less).
RUN npm ci --omit=dev \
 && npm cache clean --force \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 -type d \
      ! -name "$(uname -m)-unknown-linux-gnu" -exec rm -rf {} +

# ── workflow bundle ────────────────────────────────────────────────────────────────────────
FROM deps AS bundle
COPY . .
RUN node --import tsx scripts/bundle-workflows.ts /app/dist/workflow-bundle.js

# ── runtime ────────────────────────────────────────────────────────────────────────────────
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# NODE_OPTIONS: each isolate's young generation capped (runtime/node-flags.ts says why and what it saves).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=16 \
    BATON_DATA_DIR=/data \
    BATON_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    BATON_WORKER_METRICS_ADDRESS=0.0.0.0:9464 \
    PORT=3000
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json main.ts worker.ts ./
COPY --chown=root:root activities ./activities
COPY --chown=root:root api ./api
COPY --chown=root:root cli ./cli
COPY --chown=root:root config ./config
COPY --chown=root:root deploy ./deploy
COPY --chown=root:root domain ./domain
COPY --chown=root:root integrations ./integrations
COPY --chown=root:root runtime ./runtime
COPY --chown=root:root scripts ./scripts
COPY --chown=root:root web ./web
COPY --chown=root:root workflows ./workflows
COPY --from=bundle --chown=root:root /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
# The code stays root-owned and read-only to the process; only the data folder is its own.
# uid/gid 1000 is the image's unprivileged `node` user.
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 3000 9464
CMD ["node", "--import", "tsx", "worker.ts"]
