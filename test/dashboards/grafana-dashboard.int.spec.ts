/**
 * Every SQL query of the ready Grafana dashboard (dashboards/grafana/diplowatch.json) runs
 * against the analytics views as the read-only role, with Grafana's macros and the dashboard's
 * variables replaced by concrete SQL the way Grafana's PostgreSQL data source does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createEvent } from '@diplowatch/contracts';
import { ReadModelDatabase } from '../../apps/projector/src/read-model.database';
import { ReadModelWriter } from '../../apps/projector/src/read-model.writer';

const dashboardFile = path.resolve(__dirname, '..', '..', 'dashboards', 'grafana', 'diplowatch.json');
const ROLE = 'diplowatch_readonly';

type Query = { where: string; sql: string };

/** Every rawSql of every panel (rows' nested panels too) and every query variable. */
function dashboardQueries(dashboard: any): Query[] {
  const queries: Query[] = [];
  const visit = (panels: any[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.rawSql)
          queries.push({ where: `panel "${panel.title}" ${target.refId}`, sql: target.rawSql });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type === 'query') queries.push({ where: `variable $${variable.name}`, sql: variable.query });
  }
  return queries;
}

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const seconds = (interval: string) => {
  const match = /^'?(\d+)([smhdw])'?$/.exec(interval.trim());
  if (!match) throw new Error(`unknown interval ${interval}`);
  return Number(match[1]) * SECONDS[match[2]!]!;
};

/** Grafana's PostgreSQL macros and the dashboard's variables, as Grafana expands them. */
function expand(sql: string, variables: Record<string, string>): string {
  const from = "'2025-01-01T00:00:00Z'";
  const to = "'2026-01-01T00:00:00Z'";
  let out = sql
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_m, column: string) => `${column.trim()} BETWEEN ${from} AND ${to}`,
    )
    .replace(/\$__timeGroupAlias\(([^,]+),([^)]+)\)/g, (_m, column: string, interval: string) => {
      const n = seconds(interval);
      return `floor(extract(epoch from ${column.trim()})/${n})*${n} AS "time"`;
    })
    .replace(/\$__timeGroup\(([^,]+),([^)]+)\)/g, (_m, column: string, interval: string) => {
      const n = seconds(interval);
      return `floor(extract(epoch from ${column.trim()})/${n})*${n}`;
    })
    .replace(/\$__timeFrom\(\)/g, from)
    .replace(/\$__timeTo\(\)/g, to);
  for (const [name, value] of Object.entries(variables)) {
    out = out.replace(new RegExp(`\\$\\{${name}(:[a-z]+)?\\}|\\$${name}\\b`, 'g'), value);
  }
  const left = /\$[_A-Za-z{][\w{}:]*/.exec(out);
  if (left) throw new Error(`unexpanded "${left[0]}" in:\n${out}`);
  return out;
}

describe('the Grafana dashboard (dashboards/grafana/diplowatch.json)', () => {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8'));
  const queries = dashboardQueries(dashboard);
  const allValues = Object.fromEntries(
    (dashboard.templating.list as any[]).filter((v) => v.allValue).map((v) => [v.name, v.allValue as string]),
  );
  // "All" (the variables' allValue subqueries) and a concrete multi-value selection.
  const selections: Array<[string, Record<string, string>]> = [
    ['All selected', { ...allValues, min_confidence: '0' }],
    ['IDN, MYS and visits selected', { country: "'IDN','MYS'", type: "'visit'", min_confidence: '0.5' }],
  ];
  let client: pg.Client;
  let database: ReadModelDatabase;

  beforeAll(async () => {
    // A diplomatic event with its source, projected the usual way, so the panels have rows.
    database = new ReadModelDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: 1 });
    const articleId = `dash-${Date.now()}`;
    await new ReadModelWriter(database).applyBatch(
      [
        createEvent('ArticleIngested', {
          id: `ai-${articleId}`,
          data: {
            articleId,
            contentHash: 'h1',
            feedUrl: 'https://example.org/feed.xml',
            url: `https://example.org/${articleId}`,
            canonicalUrl: `https://example.org/${articleId}`,
            guid: null,
            title: 'Shoigu visits Indonesia',
            text: 'Sergei Shoigu is visiting Indonesia.',
            rawContent: null,
            author: null,
            language: 'en',
            publishedAt: '2025-06-24T08:00:00.000Z',
            fetchedAt: '2025-06-24T09:00:00.000Z',
          },
        }),
        createEvent('DiplomaticEventDetected', {
          id: `de-${articleId}`,
          data: {
            diplomaticEventId: `dash-event-${articleId}`,
            articleId,
            watch: 'russia-sea',
            rulesVersion: '1',
            type: 'visit',
            countries: ['RUS', 'IDN'],
            actors: [{ name: 'Sergei Shoigu', office: null, country: 'RUS', role: 'actor' }],
            confidence: 0.8,
            summary: 'Visit: RUS, IDN — Sergei Shoigu',
            startDate: '2025-06-24',
            endDate: null,
            place: null,
            topics: [],
            evidence: [{ sentence: 'Sergei Shoigu is visiting Indonesia.', rules: ['visit'] }],
            context: [],
            publishedAt: '2025-06-24T08:00:00.000Z',
          },
        }),
      ].map((event, i) => ({ event, streamSequence: 900_000 + i, deliveryCount: 1 })),
    );
    client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.onApplicationShutdown();
  });

  /** Runs SQL as the read-only role, leaving nothing behind. */
  const asReadOnly = async (sql: string) => {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL ROLE ${ROLE}`);
      return await client.query(sql);
    } finally {
      await client.query('ROLLBACK');
    }
  };

  it('has panels, and reads nothing but the analytics views', () => {
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const { where, sql } of queries) {
      const relations = [...sql.matchAll(/\b(?:FROM|JOIN)\s+([\w."]+)/gi)].map((m) => m[1]!);
      expect({ where, relations: relations.filter((r) => !r.startsWith('analytics.')) }).toEqual({
        where,
        relations: [],
      });
    }
  });

  for (const [label, variables] of selections) {
    it(`runs every query as ${ROLE}, ${label}`, async () => {
      const failures: string[] = [];
      let withRows = 0;
      for (const { where, sql } of queries) {
        try {
          const result = await asReadOnly(expand(sql, variables));
          if (result.rows.length > 0) withRows++;
        } catch (error) {
          failures.push(`${where}: ${(error as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
      expect(withRows).toBeGreaterThan(queries.length / 2);
    });
  }

  it(`gives ${ROLE} the views and nothing else`, async () => {
    for (const sql of ['SELECT 1 FROM public.articles LIMIT 1', 'SELECT 1 FROM public.api_keys LIMIT 1']) {
      await expect(asReadOnly(sql)).rejects.toThrow(/permission denied/);
    }
    await expect(asReadOnly(`DELETE FROM analytics.articles`)).rejects.toThrow(/permission denied/);
    const { rows } = await asReadOnly(
      `SELECT count(*)::int AS n FROM analytics.diplomatic_events WHERE 'Sergei Shoigu' = ANY(actor_names)`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
  });
});
