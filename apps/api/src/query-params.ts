import {
  type ArgumentMetadata,
  BadRequestException,
  Injectable,
  Param,
  type PipeTransform,
  Query,
} from '@nestjs/common';
import { type QueryValidation, validateQuery } from '@diplowatch/domain';
import { z } from 'zod';

/** A 400 whose message names each bad parameter. */
export function badRequest(message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message });
}

/** The value of a validation, or the 400 it calls for. */
export function orBadRequest<T>(validation: QueryValidation<T>): T {
  if (!validation.ok) throw badRequest(validation.message);
  return validation.value;
}

/**
 * Validates a parameter against the zod schema its decorator carries, so one schema both
 * checks the request and (through @nestjs/swagger) documents it.
 */
@Injectable()
export class ValidParamsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { schema, data } = metadata;
    if (!(schema instanceof z.ZodType))
      throw new Error('ValidParamsPipe needs a zod schema on the parameter');
    return orBadRequest(validateQuery(schema, value, typeof data === 'string' ? data : undefined));
  }
}

/** The whole query string, validated by `schema` (unknown parameters are refused). */
export const ValidQuery = (schema: z.ZodType) => Query({ schema, pipes: [ValidParamsPipe] });

/** One path parameter, validated by `schema`. */
export const ValidParam = (name: string, schema: z.ZodType) =>
  Param(name, { schema, pipes: [ValidParamsPipe] });

/** For routes that take no query parameters: any given is refused, like a typo would be. */
export const noQuerySchema = z.object({}).strict();
