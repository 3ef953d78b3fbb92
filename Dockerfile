# Frontline production image. Two stages: `deps` installs the production dependencies (and generates the
# Prisma client at install time); the runtime stage carries only what `frontline start` needs.
#   docker build -t frontline .
#   docker run -p 3000:3000 -v frontline-data:/data frontline            # embedded PostgreSQL (PGlite) in /data
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… frontline       # a real PostgreSQL, any number of copies
# test/packaging/dockerfile.test.ts replays these instructions in a clean directory, so the recipe is exercised
# even where Docker is absent.

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund --prefer-offline

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    FRONTLINE_DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/src/db/generated ./src/db/generated
COPY . .
# The server runs compiled JavaScript (dist/, with source maps); built here because the dependency stage has
# no sources yet, and before USER so the image never needs to write into /app.
RUN node scripts/build.mjs
# The image's own non-root user; the data volume belongs to it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/frontline.js", "start"]
