# Hameau container image.
#
#   docker build -t hameau .
#   docker run -d --name hameau -p 3000:3000 -v hameau:/data hameau
#
# The database and everything Hameau stores live in the /data volume; configuration comes from
# environment variables (see "Configuration" in README.md). Set PUBLIC_URL to the address people
# use, or the links in invitations and emails will point to localhost:
#   docker run -d -p 3000:3000 -v hameau:/data -e PUBLIC_URL=https://intranet.example.com hameau
#
# No --init is needed: node runs as PID 1 (exec form, no shell in between), handles SIGTERM and
# SIGINT itself (close-with-grace: stop accepting, finish requests, close the database, exit
# within 10 s, so the default `docker stop` timeout is enough) and starts no child processes.
#
# Both stages use the same Node.js major on the same Debian release (glibc), because the
# native modules (better-sqlite3, argon2) compiled or chosen in the first stage run in the second.
ARG NODE_VERSION=24

# ---------------------------------------------------------------- build
# The full image has python3, make and g++: better-sqlite3 may compile from source.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app

# Dependencies first, so that this layer is reused while only the code changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
# plugins/ may be empty (git does not keep empty folders): make sure it exists for the copy below.
# When better-sqlite3 had to compile from source, drop what only the compilation needed (~25 MB:
# object files, the SQLite sources, the test extension); the addon stays in build/Release.
RUN mkdir -p plugins \
 && npm run build \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
           build/Release/sqlite3.a build/Release/test_extension.node \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# ---------------------------------------------------------------- runtime
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app

# Application files belong to root and are read-only for the `node` user that runs Hameau.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/views ./views
COPY --from=build /app/static ./static
COPY --from=build /app/src/i18n/locales ./src/i18n/locales
COPY --from=build /app/plugins ./plugins
COPY --from=build /app/dist ./dist

# The only writable place. A new named volume takes this owner; a bind-mounted host folder must
# be writable by uid 1000 (chown 1000:1000 /srv/hameau).
RUN mkdir -p /data && chown node:node /data
VOLUME /data

USER node
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# A young generation of 4 MB per semi-space (V8's default grows to 16 MB), and an old generation let
# grow to 1.5 times what is alive after a full collection (V8 lets it reach about 4 times): more
# frequent, shorter collections and far less memory at peak (home feed at 50 connections: 240 -> 155
# MB), for the same throughput (docs/performance.md). Keep package.json's "start" the same.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/src/server.js"]
