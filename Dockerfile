# One image for every role: api (the default command), worker and scheduler.
# The app runs its TypeScript through tsx; the one build step is the web app's bundle (Vite),
# made in its own stage with the development dependencies and copied into the image.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY . .
RUN npm ci --ignore-scripts --no-audit --no-fund && npm run build:web

FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a change in the sources does not reinstall them. Every npm workspace's
# package.json must be here for `npm ci` to link it: add new apps, libs and tools to this list
# (a test checks it against the workspaces).
COPY package.json package-lock.json ./
COPY apps/all-in-one/package.json apps/all-in-one/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/web/package.json apps/web/
COPY libs/engine/package.json libs/engine/
COPY libs/db/package.json libs/db/
COPY libs/queue/package.json libs/queue/
COPY libs/handlers/package.json libs/handlers/
COPY libs/runtime/package.json libs/runtime/
COPY libs/http/package.json libs/http/
COPY libs/testkit/package.json libs/testkit/
COPY tools/bench/package.json tools/bench/
COPY tools/chaos/package.json tools/chaos/
# Runtime dependencies only (tsx is one). No install scripts: package.json's allowScripts allows
# none, and the image's npm (10) does not read that setting.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY . .
# the web app at /workflows, built in the first stage; the api serves it as it is (web-bundle.ts)
COPY --from=web /app/apps/web/dist apps/web/dist

# tsx is started directly, not through npx: npx does not pass SIGTERM on, and the processes need
# it to shut down gracefully (workers finish their in-flight jobs). tsx passes it to the app.
ENV PATH=/app/node_modules/.bin:$PATH

USER node
EXPOSE 3000
CMD ["tsx", "apps/api/src/main.ts"]
