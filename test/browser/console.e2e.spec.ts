/**
 * The analyst console in a real browser: headless Chromium (Debian's package) driven by
 * playwright-core against the compiled apps as processes. The database is seeded the way
 * production fills it: a local feed server's articles go through ingester → classifier →
 * projector. Then the console is used as an analyst would, and a feed added from its Feeds page
 * brings a new event that must appear on the events page through the SSE stream, without a reload.
 * Screenshots of every page go to test-artifacts/console/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { type Pipeline, devSetFile, eventually, startPipeline } from '@diplowatch/testing';
import { repoRoot } from '../../scripts/lib/app-processes';
import { readDevSet, rssFromItems } from '../../scripts/lib/demo-feeds';

jest.setTimeout(240_000);

const artifacts = path.join(repoRoot, 'test-artifacts', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type DevItem = {
  id: string;
  title: string;
  text: string;
  published: string | null;
  label: { relevant: boolean };
};

describe('the analyst console in headless Chromium', () => {
  const browserErrors: string[] = [];
  let pipeline: Pipeline<'analyst'>;
  let feedBase: string;
  let apiUrl: string;
  let key: string;
  let profileDir: string;
  let context: BrowserContext;
  let page: Page;

  const api = async (pathAndQuery: string) => {
    const response = await fetch(`${apiUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${key}` } });
    return (await response.json()) as any;
  };
  /** Page assertions settle: retried for a few seconds (playwright-core has no expect of its own). */
  const soon = (check: () => Promise<void>) => eventually(check, 10_000, 100);
  const shot = (name: string) =>
    page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} missing: apt-get install chromium (.ci/run does)`);
    mkdirSync(artifacts, { recursive: true });

    const devSet = readDevSet(devSetFile) as DevItem[];
    const pick = (id: string) => devSet.find((item) => item.id === id)!;
    const unrelated = devSet.filter((item) => !item.label.relevant).slice(0, 2);
    // Seed: the Shoigu visit (Indonesia, Malaysia), naval drills with Indonesia, Myanmar, Malaysia.
    const seedFeed = rssFromItems(
      'Console seed feed',
      [pick('seed-001'), pick('dev-079'), pick('dev-037'), pick('dev-063'), ...unrelated],
      'https://news.example.org',
    );
    // Added from the console later: Putin in Hanoi.
    const laterFeed = rssFromItems('Console later feed', [pick('dev-054')], 'https://later.example.org');
    pipeline = await startPipeline({
      name: 'console',
      database: 'own',
      feeds: {
        '/seed.xml': { body: seedFeed, etag: false },
        '/later.xml': { body: laterFeed, etag: false },
      },
      // Only the seed feed is configured; the later one is added from the console.
      feedPaths: ['/seed.xml'],
      apiKeys: { analyst: ['write'] },
      env: {
        DATABASE_POOL_SIZE: '4',
        ALERT_SECRET_KEY: 'cd'.repeat(32),
        ALERT_POLL_INTERVAL_MS: '200',
      },
      apps: ['ingester', 'classifier', 'projector', 'alerter', 'api'],
    });
    feedBase = pipeline.feeds!.origin;
    apiUrl = pipeline.apiUrl;
    key = pipeline.keys.analyst;

    // Seeded: the four relevant articles classified and projected.
    await eventually(
      async () => {
        const page = await api('/events?limit=50');
        expect(page.items.length).toBeGreaterThanOrEqual(3);
        expect(JSON.stringify(page.items)).toContain('Sergei Shoigu');
      },
      90_000,
      500,
    );

    profileDir = mkdtempSync(path.join(os.tmpdir(), 'diplowatch-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await pipeline?.stop();
  });

  it('filters, opens the Shoigu visit, subscribes, adds a feed and sees its event arrive live', async () => {
    try {
      // The shell needs no key, and says what it may load.
      const response = await page.goto(`${apiUrl}/console/`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

      // The key, pasted as an analyst would.
      await page.getByLabel('Key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Use this key' }).click();
      const rows = page.locator('#events-table tbody tr');
      await rows.first().waitFor();
      const all = await api('/events?limit=50');
      await soon(async () => expect(await rows.count()).toBe(all.items.length));
      await shot('01-events');

      // Filter by Indonesia: the URL carries the view, the table holds exactly the API's answer.
      await page.getByRole('checkbox', { name: 'Indonesia' }).check();
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/[?&]country=IDN/);
      const indonesia = await api('/events?country=IDN&limit=50');
      expect(indonesia.items.length).toBeGreaterThan(0);
      expect(indonesia.items.length).toBeLessThan(all.items.length);
      await soon(async () => expect(await rows.count()).toBe(indonesia.items.length));
      for (const row of await rows.all()) expect(await row.locator('.chips').innerText()).toContain('IDN');
      // Shared as a link: a fresh load of the URL shows the same view.
      await page.goto(page.url());
      await soon(async () =>
        expect(await page.getByRole('checkbox', { name: 'Indonesia' }).isChecked()).toBe(true),
      );
      await soon(async () => expect(await rows.count()).toBe(indonesia.items.length));
      // Keyboard first (from a fresh load): the skip link, then real controls, each with a label.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe(
        'Skip to content',
      );
      const unlabelled = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('main input, main select')]
          .filter((input: any) => input.labels.length === 0 && !input.getAttribute('aria-label'))
          .map((input: any) => input.outerHTML),
      );
      expect(unlabelled).toEqual([]);
      await shot('02-events-indonesia');

      // The Shoigu visit: its sources, evidence highlighted, rules version.
      const visit = indonesia.items.find(
        (item: any) => item.type === 'visit' && JSON.stringify(item.actors).includes('Sergei Shoigu'),
      );
      expect(visit).toBeDefined();
      await page.locator(`tr[data-event-id="${visit.id}"] td a`).first().click();
      await page.waitForURL(`**/console/events/${encodeURIComponent(visit.id)}`);
      await page.getByRole('heading', { level: 1, name: visit.summary }).waitFor();
      const detail = await api(`/events/${encodeURIComponent(visit.id)}`);
      const evidence = page.locator('ol.evidence mark');
      expect(await evidence.count()).toBe(detail.sources[0].evidence.length);
      expect(await evidence.first().innerText()).toBe(detail.sources[0].evidence[0].sentence.trim());
      // …and highlighted inside the article's text.
      await page.locator('.article-text mark').first().waitFor();
      expect(await page.locator(`a[href="${detail.sources[0].url}"]`).count()).toBe(1);
      expect(await page.locator('.facts').first().innerText()).toContain(detail.rulesVersion);
      await shot('03-event-shoigu-visit');

      // No reload from here on: a marker on the window would not survive one.
      await page.evaluate(() => ((globalThis as any).consoleTestMarker = 'same page'));

      // Charts: bars by country and type, and the map shaded for Indonesia with a link to Russia.
      await page.getByRole('link', { name: 'Charts' }).click();
      await page.locator('svg.map path.land[data-country="IDN"]').waitFor();
      expect(await page.locator('svg.map path.land[data-country="IDN"]').getAttribute('data-count')).not.toBe(
        '0',
      );
      expect(await page.locator('svg.map path.link[data-pair="RUS-IDN"]').count()).toBe(1);
      expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(0);
      await shot('04-charts');

      // A subscription for every new event, followed live.
      await page.getByRole('link', { name: 'Subscriptions' }).click();
      await page.getByLabel('Name').fill('Everything new (console test)');
      await page.getByRole('button', { name: 'Create subscription' }).click();
      await page.getByText('signing secret, shown this once').waitFor();
      await page.locator('li.subscription', { hasText: 'Everything new (console test)' }).waitFor();
      // Edit, pause, resume: each reflected in the list as the API now has it.
      await page
        .locator('li.subscription', { hasText: 'Everything new (console test)' })
        .getByRole('button', { name: 'Edit' })
        .click();
      await page.locator('#e-name').fill('Everything new');
      await page.getByRole('button', { name: 'Save changes' }).click();
      const card = page.locator('li.subscription', { hasText: 'Everything new' });
      await page.getByText('Saved “Everything new”.').waitFor();
      await card.getByRole('button', { name: 'Pause' }).click();
      await card.locator('.state-paused').waitFor();
      expect((await api('/subscriptions')).items[0]).toMatchObject({
        name: 'Everything new',
        status: 'paused',
      });
      await card.getByRole('button', { name: 'Resume' }).click();
      await card.locator('.state-active').waitFor();
      await card.getByRole('button', { name: 'Follow live' }).click();
      await page.locator('#live-status[data-state="on"]').waitFor({ timeout: 20_000 });
      const subscriptions = await api('/subscriptions');
      expect(subscriptions.items).toHaveLength(1);
      await card.getByRole('button', { name: 'Send a sample' }).click();
      await card.getByRole('button', { name: 'Delivery log' }).click();
      await page.locator('ul.alerts li', { hasText: 'sample' }).waitFor();
      await shot('05-subscriptions');

      // Feeds: the registry's health, and a new feed with its first poll's result.
      await page.getByRole('link', { name: 'Feeds' }).click();
      await page.locator('#feeds-table tbody tr', { hasText: '/seed.xml' }).waitFor();
      await page.getByLabel('Feed URL').fill(`${feedBase}/later.xml`);
      await page.getByRole('button', { name: 'Add and check' }).click();
      const result = page.locator('#add-result [data-outcome]');
      await result.waitFor();
      expect(await result.getAttribute('data-outcome')).toBe('parsed');
      expect(await result.innerText()).toContain('1 item');
      await shot('06-feeds');

      // Back to the events: Putin in Hanoi, from the new feed, arrives on the stream.
      await page.getByRole('link', { name: 'Events' }).first().click();
      const arrived = page.locator('#events-table tbody tr.live-new', { hasText: 'VNM' });
      await arrived.waitFor({ timeout: 90_000 });
      expect(await page.evaluate(() => (globalThis as any).consoleTestMarker)).toBe('same page');
      await shot('07-events-live');

      // Readable on a phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('link', { name: 'Events' }).first().click();
      await page.locator('#events-table tbody tr.live-new').waitFor();
      expect(await page.locator('details.filters-box').getAttribute('open')).toBeNull();
      await shot('08-events-phone');
      await page.getByRole('link', { name: 'Charts' }).click();
      await page.locator('svg.map').waitFor();
      await shot('09-charts-phone');

      expect(browserErrors).toEqual([]);
    } catch (error) {
      process.stderr.write(
        `--- browser ---\n${browserErrors.join('\n')}\n--- app logs ---\n${pipeline.logs.slice(-150).join('\n')}\n`,
      );
      throw error;
    }
  });
});
