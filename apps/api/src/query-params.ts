import { BadRequestException } from '@nestjs/common';
import { countryCodeSchema, diplomaticEventTypes } from '@diplowatch/contracts';
import { z } from 'zod';

const csv = (value: unknown) =>
  (Array.isArray(value) ? value : typeof value === 'string' ? [value] : [])
    .flatMap((item: unknown) => String(item).split(','))
    .map((item) => item.trim())
    .filter(Boolean);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    // Date rolls 2025-02-30 over to March 2nd: a real date survives the round trip.
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'is not a real date');

export const listEventsQuerySchema = z
  .object({
    country: z.preprocess(
      (value) => csv(value).map((code) => code.toUpperCase()),
      z.array(countryCodeSchema.describe('ISO 3166-1 alpha-3 code or ASEAN')).max(12),
    ),
    type: z.preprocess(csv, z.array(z.enum(diplomaticEventTypes)).max(diplomaticEventTypes.length)),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: 'must not be after "to"',
    path: ['from'],
  });
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

export const idSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9:_.-]+$/, 'is not a valid id');

/** Validates, or throws a 400 that names each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown parameter(s): ${issue.keys.join(', ')}`;
    const name = String(issue.path[0] ?? 'query');
    const index = issue.path.length > 1 ? ` (value ${Number(issue.path[1]) + 1})` : '';
    return `parameter "${name}"${index} ${issue.message}`;
  });
  throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: problems.join('; ') });
}

/** Opaque keyset cursor: the sort key of the last row served. */
export type EventCursor = { eventDate: string; id: string };

export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify([cursor.eventDate, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): EventCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(parsed[0]) &&
      typeof parsed[1] === 'string'
    ) {
      return { eventDate: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'parameter "cursor" is not a cursor this API issued',
  });
}
