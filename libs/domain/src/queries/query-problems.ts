import { type z } from 'zod';

export type QueryValidation<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * One sentence per problem, each naming the parameter (and which value, for lists).
 * `name` is the parameter's name when the schema checks a single value (a path parameter).
 */
export function describeQueryIssues(issues: readonly z.core.$ZodIssue[], name?: string): string {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown parameter(s): ${issue.keys.join(', ')}`;
      const path = name === undefined ? issue.path : [name, ...issue.path];
      const index = typeof path[1] === 'number' ? ` (value ${path[1] + 1})` : '';
      return `parameter "${String(path[0] ?? 'query')}"${index} ${issue.message}`;
    })
    .join('; ');
}

/** Validates parameters: the typed value, or a message naming each bad parameter. */
export function validateQuery<S extends z.ZodType>(
  schema: S,
  input: unknown,
  name?: string,
): QueryValidation<z.infer<S>> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: describeQueryIssues(result.error.issues, name) };
}
