# syntax=docker/dockerfile:1
# snowflake-risk-exporter: the image runs the sources bundled to JavaScript (scripts/build.ts says how and why) with
# production dependencies only. Development runs the TypeScript directly, but Node's type stripping keeps a WebAssembly
# compiler resident (about 30 MB of RSS), and every module's source text stays in the heap, which a long-running
# exporter should not pay. Checked statically and by replaying
# its install, build and start commands in test/integration/packaging/dockerfile.test.ts (no Docker engine runs in CI).
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

# Stage 2: the build. Every dependency (esbuild is a devDependency); nothing of it but dist/ reaches the runtime.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts scripts/builtin-dynamic-imports.ts ./scripts/
COPY bin ./bin
COPY src ./src
COPY emulator ./emulator
COPY examples ./examples
RUN node scripts/build.ts

# Stage 3: the runtime. Non-root with a numeric id (so Kubernetes can verify runAsNonRoot), nothing written outside
# /app/data (the state store; mount a volume there) and /tmp, so a read-only root filesystem works.
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="snowflake-risk-exporter" \
      org.opencontainers.image.description="Watches Snowflake accounts for insider risk: Prometheus metrics and OpenTelemetry logs" \
      org.opencontainers.image.source="https://github.com/snowflake-risk-exporter/snowflake-risk-exporter" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
# Memory settings, measured by `npm run bench -- memory` (which reads them from here; README.md, "Performance"):
# - glibc's allocator: one arena per thread, and a dynamic mmap threshold that, once a multi-megabyte response buffer
#   was freed, keeps later ones in the heap where freed pages are not returned. Two arenas and a fixed threshold hand
#   them back to the kernel (peak RSS over a 1,000,000-row cycle 318 MB without, 284 MB with them). The threshold is
#   8 KB: the buffers a cycle holds by the thousand (socket reads, gunzip output) are mapped one by one and unmapped
#   when freed, instead of fragmenting the heap, whose free pages glibc only returns from its top. 10 accounts idle
#   after reading 451,160 rows, in probes: 127 MB with a 128 KB threshold, 100 to 101 MB with 16 KB, 97 to 98 MB with
#   8 KB, 96 MB with 4 KB; the peak and the million-row cycle's duration did not change beyond the noise.
# - V8 (in the ENTRYPOINT, since NODE_OPTIONS accepts none of these): a 4 MB young generation instead of one sized
#   from the host's memory, and an old generation grown by at most 25% between full collections. Neither caps the
#   heap. Without them the same cycle peaks at 677 MB on a large host. --expose-gc lets the exporter run one
#   memory-reducing collection once a burst of cycles has ended (src/runtime/memory-release.ts), so the pages the
#   burst used go back to the kernel instead of staying mapped until the next cycle. --no-sparkplug and --no-maglev
#   leave out V8's two intermediate compilers (functions are interpreted until TurboFan optimises the hot ones): their
#   code and the parts of the binary that produce it stay out of memory. Idle RSS with 10 accounts went from about 111
#   to 101 MB, and end-to-end throughput did not drop (`npm run bench -- end-to-end` under both).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=8192 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# dist/ holds bin/ (the command), lib/ (the bundle and its source maps; the emulator that backs the embedded demo,
# run when no configuration is given, is a chunk of it), examples/ and package.json.
COPY --from=build /app/dist ./
RUN mkdir -p /app/data && chown 1000:1000 /app/data
USER 1000:1000
VOLUME ["/app/data"]
EXPOSE 9975
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=25", "--expose-gc", "--no-sparkplug", "--no-maglev", "bin/snowflake-risk-exporter.js"]
