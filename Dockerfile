# syntax=docker/dockerfile:1
# The Tollgate image: one image, two programs, `tollgate operator` and `tollgate proxy` (the
# Helm chart in charts/tollgate runs both; `tollgate run -f DIR` serves manifests standalone).
#
#   docker build -t tollgate:0.1.0 .
#   docker run --rm -p 8080:8080 tollgate:0.1.0 run -f /app/examples/manifests --host 0.0.0.0

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, then drop the dev dependencies --------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The dependency layer is cached until package.json or the lock file change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: the compiled program and its production dependencies, as a non-root user -------
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="tollgate" \
      org.opencontainers.image.description="Amazon API Gateway rebuilt as Kubernetes-native open source" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# A fixed uid/gid, the one the Helm chart's securityContext runs as (runAsUser 10001). The files
# stay owned by root: the program only reads them (the chart mounts the root filesystem read-only).
RUN groupadd --system --gid 10001 tollgate \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tollgate \
 && mkdir -p /var/lib/tollgate /var/run/tollgate \
 && chown 10001:10001 /var/lib/tollgate
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/examples ./examples
USER 10001:10001
# proxy: 8080 public, 8082 private (PRIVATE APIs), 9090 admin; operator: 8081 config stream, 9090 metrics
EXPOSE 8080 8081 8082 9090
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["help"]
