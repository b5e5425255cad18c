import { existsSync } from 'node:fs';
import path from 'node:path';

const SCHEMA_FILE = path.join('prisma', 'schema.prisma');

/**
 * The repository root: the nearest directory above `from` holding prisma/schema.prisma.
 * Found by walking up because this file runs both from libs/… (tests) and dist/libs/… (scripts).
 */
export function findProjectRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, SCHEMA_FILE))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no ${SCHEMA_FILE} found above ${from}`);
  }
}

export function projectPaths(root: string = findProjectRoot()) {
  return {
    root,
    schemaFile: path.join(root, SCHEMA_FILE),
    migrationsDir: path.join(root, 'prisma', 'migrations'),
  };
}
