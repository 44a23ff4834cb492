# Shop CRM: both bots in one process, its SQLite store in the /data volume.
# Build and run (README "Deploy"; docs/deploy/README.md has the details):
#   docker build -t shop-crm .
#   docker run -d --name shop-crm --env-file .env -v shop-crm-data:/data --read-only --tmpfs /tmp shop-crm
# or `docker compose up -d` with compose.yaml. The Node major version here is .nvmrc's (a test keeps them equal).

# The production dependencies, installed exactly as package-lock.json says; no install scripts run.
FROM node:24-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# The runtime: Node runs the TypeScript sources as they are (type stripping), so there is no build step.
FROM node:24-slim
ENV NODE_ENV=production \
    DATABASE_PATH=/data/crm.sqlite \
    JSON_STORE_DIR=/data/json \
    PORT=8080 \
    HEALTH_PORT=8080
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json .npmrc .env.example ./
COPY actors ./actors
COPY machines ./machines
COPY adapters ./adapters
# The image's files belong to root and stay read-only to the bot; only /data (and /tmp) are written.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# The webhook server (with WEBHOOK_URL) and GET /health; publish it only to your reverse proxy.
EXPOSE 8080
# docker stop sends SIGTERM to PID 1, which is node itself (exec form, no shell): it finishes the
# updates in flight, commits, closes the store (its lock is released) and exits 0. Give it 45 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "adapters/healthProbe.ts"]
CMD ["node", "--max-semi-space-size=16", "adapters/main.ts"]
