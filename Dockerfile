# syntax=docker/dockerfile:1
# One image for the API, the worker and the CLI (migrations):
#   API (default):  node dist/apps/api/src/main.js
#   worker:         node dist/apps/worker/src/main.js
#   migrations:     node dist/apps/cli/src/main.js migrate
# Production runs the current LTS (22); local development needs Node 20 or newer.
# The seal certificate is not baked in: mount it and set SEAL_P12_PATH / SEAL_P12_PASSPHRASE.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: all dependencies, compile every app into dist/ ---
FROM ${NODE_IMAGE} AS build
# @scarf/scarf (a transitive dependency) phones home on install unless told not to.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx nest build api \
 && test -f dist/apps/api/src/main.js && test -f dist/apps/worker/src/main.js && test -f dist/apps/cli/src/main.js

# --- production dependencies only (fonts, argon2 prebuilds, pdfkit… are all in "dependencies") ---
FROM ${NODE_IMAGE} AS deps
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root: the app user can read its code but not change it.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
# Page templates and stylesheets are read at run time (found by walking up from dist/).
COPY libs/web/views ./libs/web/views
COPY package.json ./
USER node
EXPOSE 3000
# The worker has no HTTP port: its container disables this check (see docker-compose.yml).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
