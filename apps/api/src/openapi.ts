import { type INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type StandardSchemaConverter,
  SwaggerModule,
} from '@nestjs/swagger';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * zod schemas to OpenAPI 3.0 schemas. One change from zod's own conversion: a list parameter
 * (a string, or the same parameter repeated) is documented as an array of strings, which
 * Swagger UI renders as a list and sends as repeated parameters.
 */
const convertZod: StandardSchemaConverter = (schema, { schemaType }) => {
  if (!(schema instanceof z.ZodType)) return undefined;
  const converted = z.toJSONSchema(schema, {
    io: schemaType,
    target: 'openapi-3.0',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const anyOf = jsonSchema.anyOf;
      const isStringOrList =
        anyOf?.length === 2 &&
        anyOf[0]?.type === 'string' &&
        anyOf[1]?.type === 'array' &&
        (anyOf[1].items as JsonSchema | undefined)?.type === 'string';
      if (isStringOrList) {
        delete jsonSchema.anyOf;
        Object.assign(jsonSchema, { type: 'array', items: { type: 'string' } });
      }
    },
  }) as JsonSchema;
  // Named schemas (.meta({ id })) come as definitions; @nestjs/swagger moves them to components.
  const { $defs, definitions, $schema: _, ...rest } = converted;
  return { schema: rest, components: (definitions ?? $defs ?? {}) as Record<string, unknown> };
};

/**
 * The OpenAPI document, generated from the controllers and the zod schemas they validate and
 * answer with. Served as JSON at /docs-json and with Swagger UI at /docs.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('diplowatch API')
    .setDescription(
      'Diplomatic events between Russia and Southeast Asia found in the news: query, history (asOf), ' +
        'statistics and export. Every route but /health and /docs needs an API key: ' +
        '`Authorization: Bearer dw_…` (or `X-API-Key`).',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'API key',
      description: 'An API key, dw_…',
    })
    .build();
  return SwaggerModule.createDocument(app, config, { standardSchemaConverter: convertZod });
}

/**
 * /docs and /docs-json. Swagger UI's scripts and styles are served from the swagger-ui-dist
 * package in node_modules, never a CDN, so the docs work offline; the spec is inlined, so the
 * UI fetches nothing else. These routes go on the HTTP server directly, outside Nest's router
 * and so outside the API-key guard: they are public, and hold no data, only the API's shape.
 */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    customSiteTitle: 'diplowatch API',
    swaggerOptions: { persistAuthorization: true, validatorUrl: null },
  });
}
