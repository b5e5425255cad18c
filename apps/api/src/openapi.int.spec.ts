/** The OpenAPI document and Swagger UI: generated from the code, public, and served offline. */
import { useReadModelApi } from './testing/read-model-api';

jest.setTimeout(60_000);

type Operation = {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Record<string, unknown> }>;
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: unknown[];
};

describe('/docs and /docs-json', () => {
  // No rows: the document does not depend on them.
  const api = useReadModelApi('apid', async () => undefined);
  let document: { openapi: string; paths: Record<string, { get: Operation }>; components: any };

  beforeAll(async () => {
    const response = await api.get('/docs-json', null);
    expect(response.status).toBe(200);
    document = response.body as typeof document;
  });

  it('documents every read route, without an API key being needed to read it', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/events',
        '/events/export',
        '/events/{id}',
        '/events/{id}/history',
        '/articles/{id}',
        '/stats/timeseries',
      ]),
    );
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/events']!.get.security).toEqual([{ bearer: [] }]);
  });

  it('lists the query parameters from the same zod schemas that validate them', () => {
    const parameters = document.paths['/events']!.get.parameters!;
    expect(parameters.map((parameter) => parameter.name)).toEqual([
      'country',
      'countryMatch',
      'pair',
      'actor',
      'type',
      'from',
      'to',
      'publishedFrom',
      'publishedTo',
      'minConfidence',
      'q',
      'feed',
      'asOf',
      'sort',
      'order',
      'limit',
      'cursor',
    ]);
    const byName = Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter]));
    expect(byName.country).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'array', items: { type: 'string' } },
    });
    expect(byName.sort!.schema).toMatchObject({ enum: ['date', 'confidence'], default: 'date' });
    expect(byName.limit!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    const timeseries = document.paths['/stats/timeseries']!.get.parameters!.map(
      (parameter) => parameter.name,
    );
    expect(timeseries).toEqual(expect.arrayContaining(['interval', 'groupBy', 'country', 'q']));
    expect(document.paths['/events/{id}']!.get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true })]),
    );
  });

  it('describes the responses with named schemas', () => {
    const ok = (path: string) =>
      document.paths[path]!.get.responses['200']!.content!['application/json']!.schema.$ref;
    expect(ok('/events')).toBe('#/components/schemas/DiplomaticEventPage');
    expect(ok('/events/{id}')).toBe('#/components/schemas/DiplomaticEventDetail');
    expect(ok('/events/{id}/history')).toBe('#/components/schemas/DiplomaticEventHistory');
    expect(ok('/stats/timeseries')).toBe('#/components/schemas/Timeseries');
    expect(document.components.schemas.DiplomaticEvent.properties).toHaveProperty('eventDate');
    expect(document.paths['/events']!.get.responses['400']).toBeDefined();
  });

  it('serves Swagger UI with its assets from the server itself, no CDN', async () => {
    const page = await api.get('/docs/', null);
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    const urls = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-init.js']) {
      const response = await api.get(`/docs/${asset}`, null);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    }
  });
});
