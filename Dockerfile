# syntax=docker/dockerfile:1
# Image for the demo agents (planner, researcher, writer): one image, the Deployment picks the entry point.
#   docker build -t agent-otel-bridge-demo:0.1.0 .
#   docker run --rm --read-only --tmpfs /tmp -p 8080:8080 -p 9464:9464 agent-otel-bridge-demo:0.1.0
# Build context is the repo root (see .dockerignore). Kubernetes manifests: k8s/ (k8s/README.md).

ARG NODE_IMAGE=node:24-slim

# --- build: dev dependencies + TypeScript compile into dist/ -------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first so the dependency layer is cached until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies only, compiled output, demo sources -----------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The demo agents run on openai, the AI SDK and the OpenAI Agents SDK: devDependencies of the package (never forced
# on its users), needed by the agents in this image. They become dependencies in this image's package.json only, and
# `npm ci` still installs exactly the versions of package-lock.json (no `npm install`, no resolution here).
RUN node -e "const fs = require('fs'), p = require('./package.json'); for (const n of ['openai', 'ai', '@ai-sdk/otel', '@ai-sdk/openai-compatible', '@openai/agents']) { p.dependencies[n] = p.devDependencies[n]; delete p.devDependencies[n]; } fs.writeFileSync('package.json', JSON.stringify(p, null, 2));" \
 && npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY demo ./demo
# Numeric UID/GID so Kubernetes' runAsNonRoot can verify it (a user *name* cannot be checked); a passwd entry so
# os.userInfo() works; high UID to stay clear of host users. App files stay root-owned: the process cannot
# modify its own code, and nothing is written outside /tmp (mount an emptyDir there with a read-only root).
RUN groupadd --system --gid 10001 agent \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin agent
USER 10001:10001
# The preload: the bridge starts before the app's first import. The agents run from /app, inside the
# agent-otel-bridge package, so the package's self-reference (exports "./register") resolves.
ENV NODE_OPTIONS="--import agent-otel-bridge/register" \
    HOME=/tmp \
    TMPDIR=/tmp \
    PORT=8080 \
    OTEL_EXPORTER_PROMETHEUS_PORT=9464
EXPOSE 8080 9464
# NODE_OPTIONS is cleared for the probe itself: it must not start a second bridge (port 9464, exports).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/bin/env", "NODE_OPTIONS=", "node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "demo/agents/planner.js"]
