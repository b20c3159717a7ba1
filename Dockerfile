# syntax=docker/dockerfile:1
# Millwright's box in a container. The commands are the README's:
#   docker run --rm -p 8080:8080 millwright                                    # millwright demo (the default)
#   docker run … millwright millwright start --config /etc/millwright/edge.yaml
#   docker run … millwright millwright sim --host 0.0.0.0 --mqtt mqtt://broker:1883
# docker-compose.yml runs the edge, the simulators, mosquitto and Ollama; see docs/deployment.md.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: every dependency, the compiled CLI and the console's web page ---
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native part with node-gyp when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so a change to the sources reuses this layer. --ignore-scripts keeps `npm ci` from
# running our own "prepare" (the build) before the sources are here; the packages with install scripts are
# rebuilt by name. .npmrc holds onnxruntime-node-install=skip: its postinstall would fetch CUDA files we
# do not use (the CPU binaries ship in the package).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 onnxruntime-node protobufjs esbuild
COPY . .
# onnxruntime-node ships its binaries for every platform (about 290 MB); the image keeps its own (45 MB).
RUN npm run build \
 && npm prune --omit=dev \
 && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 ! -name linux -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 ! -name "$(node -p process.arch)" -exec rm -rf {} +

# --- runtime: production dependencies (native parts built above, same base image), no compilers ---
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node (the box shuts down cleanly) and reaps child processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    MILLWRIGHT_LOG_FORMAT=json \
    MILLWRIGHT_CONSOLE_HOST=0.0.0.0 \
    MILLWRIGHT_HEALTH_URL=http://127.0.0.1:8080/api/health/live
# The working directory is the data volume, so every command's default "--data data" lands in
# /var/lib/millwright/data; the certificates (OPC UA own certificate, trusted/ and rejected/) are their
# own volume inside it, to be backed up and managed apart from the databases.
RUN groupadd --system millwright \
 && useradd --system --gid millwright --home-dir /var/lib/millwright --shell /usr/sbin/nologin millwright \
 && mkdir -p /var/lib/millwright/data/pki \
 && chown -R millwright:millwright /var/lib/millwright
COPY --from=build /app /app
RUN ln -s /app/bin/millwright.js /usr/local/bin/millwright
USER millwright
WORKDIR /var/lib/millwright
VOLUME ["/var/lib/millwright", "/var/lib/millwright/data/pki"]
# operator console, simulated PLC (OPC UA), embedded MQTT broker of the demo
EXPOSE 8080 4840 1883
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["millwright", "demo"]
