import { BadRequestException } from '@nestjs/common';
import { type z } from 'zod';

/** Validates a body or query, or throws a 400 naming each bad field by its path. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: 'body' | 'query',
): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const at = issue.path.length > 0 ? ` in "${issue.path.join('.')}"` : '';
      return `unknown field(s)${at}: ${issue.keys.join(', ')}`;
    }
    const name = issue.path.length > 0 ? issue.path.join('.') : what;
    return `${what === 'query' ? 'parameter' : 'field'} "${name}" ${issue.message}`;
  });
  throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: problems.join('; ') });
}
