# sse-tui: one image for the load agents, the controller and the reference server.
#   docker build -t sse-tui:0.2.0 .
#   docker run --rm sse-tui:0.2.0 agent --redis redis://redis:6379 --name a1
# Multi-stage: TypeScript is compiled in the first stage; the image holds only the compiled
# CLI and the production dependencies, and runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY source ./source
COPY server ./server
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/source ./dist/source
COPY --from=build /app/dist/server ./dist/server
USER node
# The same CLI as package.json's "bin": sse-tui = dist/source/cli.js
ENTRYPOINT ["node", "dist/source/cli.js"]
CMD ["--help"]
