#!/usr/bin/env node
// `prisma generate` never runs the schema engine, but Prisma 7's CLI insists on
// downloading one at start-up, which fails offline. Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the download.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
env.CHECKPOINT_DISABLE = '1';
const result = spawnSync(
  process.execPath,
  [
    require.resolve('prisma/build/index.js', { paths: [root] }),
    'generate',
    '--schema',
    path.join(root, 'prisma/schema.prisma'),
  ],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
