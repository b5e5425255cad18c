import { type CountryCountDelta } from '@diplowatch/domain';

/** The part of the writer's batch script this file needs (statements run in the batch's transaction). */
export interface StatementSink {
  add(sql: string, ...params: Array<string | number | null>): void;
}

/**
 * Adds a batch's changes to the per-country daily counts (diplomatic_event_country_counts_daily,
 * read by GET /stats/timeseries?groupBy=country) and removes the cells no event counts in any
 * more. Its own file: the writer appends these statements to the batch's write script.
 */
export function addCountryCounts(script: StatementSink, deltas: CountryCountDelta[]): void {
  if (deltas.length === 0) return;
  const json = JSON.stringify(deltas);
  script.add(
    `INSERT INTO diplomatic_event_country_counts_daily AS c (day, country, events)
     SELECT day, country, events FROM json_to_recordset($1::json) AS r(day date, country text, events integer)
     ON CONFLICT (day, country) DO UPDATE SET events = c.events + EXCLUDED.events`,
    json,
  );
  if (deltas.some((delta) => delta.events < 0)) {
    script.add(
      `DELETE FROM diplomatic_event_country_counts_daily c
        USING json_to_recordset($1::json) AS r(day date, country text, events integer)
        WHERE r.events < 0 AND c.day = r.day AND c.country = r.country AND c.events = 0`,
      json,
    );
  }
}
