# One image for every app; the compose file picks the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.js scripts/prisma-generate.js
COPY prisma prisma
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/package.json package.json
COPY prisma prisma
COPY config config
COPY libs/domain/watches libs/domain/watches
# The console is static files the API serves as they are.
COPY apps/api/src/console/static apps/api/src/console/static
USER node
CMD ["node", "dist/apps/api/src/main.js"]
