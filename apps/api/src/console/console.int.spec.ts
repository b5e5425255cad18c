/** The console's static shell, served by the real API module (guard included). */
import path from 'node:path';
import request from 'supertest';
import { testNamespace, testNatsUrl } from '@diplowatch/testing';
import { type TestApi, startTestApi } from '../testing/api-test-app';
import { CONSOLE_CSP, findConsoleDirectory, loadConsoleFiles } from './console.controller';

jest.setTimeout(60_000);

describe('/console', () => {
  let api: TestApi;
  const http = () => request(api.app.getHttpServer());

  beforeAll(async () => {
    api = await startTestApi({
      databaseUrl: process.env.DATABASE_URL!,
      natsUrl: testNatsUrl(),
      namespace: testNamespace('console'),
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('serves the shell without a key, with a strict Content-Security-Policy', async () => {
    const response = await http().get('/console/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe|https?:/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toContain('<script type="module" src="/console/app.js">');
    // …while the data behind it still needs one.
    expect((await http().get('/events')).status).toBe(401);
  });

  it('sends /console to /console/', async () => {
    const response = await http().get('/console');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('console/');
  });

  it('gives each file its content type, and revalidates with an ETag', async () => {
    for (const [file, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['views/events.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
      ['sea-map.json', 'application/json; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ]) {
      const response = await http().get(`/console/${file}`);
      expect([file, response.status, response.headers['content-type']]).toEqual([file, 200, type]);
    }
    const first = await http().get('/console/app.js');
    const again = await http().get('/console/app.js').set('if-none-match', first.headers.etag!);
    expect(again.status).toBe(304);
  });

  it("answers the console's own pages with the shell, and a missing file with 404", async () => {
    for (const page of ['/console/events/de-2025.visit_IDN', '/console/charts', '/console/feeds']) {
      const response = await http().get(page);
      expect([page, response.status, response.headers['content-type']]).toEqual([
        page,
        200,
        'text/html; charset=utf-8',
      ]);
    }
    expect((await http().get('/console/nothing.js')).status).toBe(404);
    expect((await http().get('/console/views/nothing.css')).status).toBe(404);
  });

  it('never reads outside its directory', async () => {
    for (const attempt of [
      '/console/..%2F..%2F..%2F..%2Fpackage.json',
      '/console/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/console/..%5C..%5Cpackage.json',
    ]) {
      const response = await http().get(attempt);
      expect(response.text).not.toContain('"dependencies"');
    }
  });

  it('finds its files from the sources and from a dist/ tree', () => {
    const fromSources = findConsoleDirectory(__dirname);
    expect(fromSources).toBe(path.join(__dirname, 'static'));
    const fromDist = findConsoleDirectory(path.resolve(__dirname, '../../../../dist/apps/api/src/console'));
    expect(fromDist).toBe(fromSources);
    const files = loadConsoleFiles(fromSources!);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['index.html', 'app.js', 'lib/api.js']));
  });
});
