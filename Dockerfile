# One image build, two targets: `web` (Next.js) and `worker` (BullMQ worker with the build engine
# and QEMU for boot checks). docker-compose.yml builds both. The worker runs compiled (one esbuild
# bundle, apps/worker/dist, made in the build stage), the web app as `next build` made it; the
# one-shot jobs (migrate, seed, mirror) run their TypeScript source through tsx.
#
#   docker build --target web -t oscompose-web .
#   docker build --target worker -t oscompose-worker .

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1 \
    PRISMA_SKIP_POSTINSTALL_GENERATE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
# Compilers for better-sqlite3 when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund \
 && node packages/db/scripts/prisma.mjs generate \
 && node scripts/bundle.mjs \
 && cd apps/web && OSCOMPOSE_SKIP_TYPECHECK=1 ../../node_modules/.bin/next build \
 && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    OSCOMPOSE_DATA_DIR=/data
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini openssl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data
COPY --from=build /app /app
ENTRYPOINT ["/usr/bin/tini", "--"]

# One-shot jobs (docker compose runs them before web and worker):
#   node_modules/.bin/tsx packages/db/src/bin/migrate.ts    apply migrations to DATABASE_URL
#   node_modules/.bin/tsx apps/worker/src/seed.ts           starter catalog + default compositions

FROM runtime AS web
WORKDIR /app/apps/web
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec /app/node_modules/.bin/next start -p ${PORT:-3000}"]

FROM runtime AS worker
# The engine's image tooling and QEMU for boot checks (software emulation; no KVM needed).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      qemu-system-x86 qemu-utils ovmf xorriso isolinux syslinux syslinux-common mtools dosfstools \
      squashfs-tools systemd-boot-efi grub-efi-amd64-bin grub-pc-bin zstd cpio xz-utils binutils \
 && rm -rf /var/lib/apt/lists/*
# SIGTERM (docker stop) lets running builds finish for WORKER_SHUTDOWN_GRACE_SECONDS; give
# compose's stop_grace_period at least that much.
# bin/worker.mjs checks the bundle's stamp (a hash check, no rebuild) and runs it in this process.
CMD ["node", "apps/worker/bin/worker.mjs"]
