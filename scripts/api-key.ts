/**
 * Manage API keys (stored hashed; the key is printed once, at creation).
 *   npm run api-key -- create --name "analyst dashboard" [--scopes read,write]
 *   npm run api-key -- list
 *   npm run api-key -- revoke <id>
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseEnv } from '@diplowatch/config';
import { apiKeyScopes, issueApiKey } from '@diplowatch/domain';
import { createPrismaClient } from '@diplowatch/persistence';

const env = parseEnv(
  z.object({ DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/diplowatch') }),
);

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string', default: 'read' } },
  });
  const [command, id] = positionals;
  const prisma = createPrismaClient(env.DATABASE_URL, 1);
  try {
    switch (command) {
      case 'create': {
        if (!values.name) throw new Error('--name is required');
        const scopes = values.scopes.split(',').map((scope) => scope.trim());
        const unknown = scopes.filter((scope) => !(apiKeyScopes as readonly string[]).includes(scope));
        if (unknown.length)
          throw new Error(`unknown scope(s) ${unknown.join(', ')}; use ${apiKeyScopes.join(', ')}`);
        const issued = issueApiKey();
        await prisma.apiKey.create({
          data: { id: issued.id, name: values.name, hash: issued.hash, scopes, createdAt: new Date() },
        });
        process.stdout.write(
          `created key ${issued.id} (${scopes.join(',')}) for "${values.name}"; it is shown once:\n${issued.key}\n`,
        );
        break;
      }
      case 'list': {
        const keys = await prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' } });
        for (const key of keys) {
          const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
          process.stdout.write(
            `${key.id}  ${key.scopes.join(',').padEnd(16)} ${state.padEnd(32)} ${key.name}\n`,
          );
        }
        break;
      }
      case 'revoke': {
        if (!id) throw new Error('usage: revoke <id>');
        const { count } = await prisma.apiKey.updateMany({
          where: { id, revokedAt: null },
          data: { revokedAt: new Date() },
        });
        if (count === 0) throw new Error(`no active key ${id}`);
        process.stdout.write(`revoked ${id}\n`);
        break;
      }
      default:
        throw new Error('usage: api-key create --name NAME [--scopes read,write,admin] | list | revoke ID');
    }
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`api-key: ${(error as Error).message}\n`);
  process.exit(1);
});
