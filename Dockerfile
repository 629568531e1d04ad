# syntax=docker/dockerfile:1
# snowflake-risk-exporter: Node.js 24 runs the TypeScript sources directly (type stripping), so there is no build
# step; the image holds production dependencies and sources only. Checked statically and by replaying its install
# and start commands in test/integration/packaging/dockerfile.test.ts (no Docker engine runs in CI).
#
#   docker build -t snowflake-risk-exporter .
#   docker run --rm -e SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN=0.0.0.0:9975 -p 9975:9975 snowflake-risk-exporter  # demo
#   docker run --rm -v "$PWD/config.yaml:/etc/snowflake-risk-exporter/config.yaml:ro" -v risk-data:/app/data \
#     -e SNOWFLAKE_RISK_EXPORTER_CONFIG=/etc/snowflake-risk-exporter/config.yaml -p 9975:9975 snowflake-risk-exporter

ARG NODE_IMAGE=node:24-bookworm-slim

# Stage 1: production dependencies only. Install scripts are not needed (DuckDB ships prebuilt N-API binaries as
# platform packages) and are not run.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Stage 2: the runtime. Non-root with a numeric id (so Kubernetes can verify runAsNonRoot), nothing written outside
# /app/data (the state store; mount a volume there) and /tmp, so a read-only root filesystem works.
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="snowflake-risk-exporter" \
      org.opencontainers.image.description="Watches Snowflake accounts for insider risk: Prometheus metrics and OpenTelemetry logs" \
      org.opencontainers.image.source="https://github.com/snowflake-risk-exporter/snowflake-risk-exporter" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The emulator backs the embedded demo that runs when no configuration is given.
COPY emulator ./emulator
COPY examples ./examples
RUN mkdir -p /app/data && chown 1000:1000 /app/data
USER 1000:1000
VOLUME ["/app/data"]
EXPOSE 9975
ENTRYPOINT ["node", "bin/snowflake-risk-exporter.js"]
