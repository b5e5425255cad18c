import { type CountryCountDelta } from '@diplowatch/domain';
import type pg from 'pg';

/**
 * Adds a batch's changes to the per-country daily counts (diplomatic_event_country_counts_daily,
 * read by GET /stats/timeseries?groupBy=country), inside the batch's transaction, and removes
 * the cells no event counts in any more. Its own file: the writer calls it once per batch.
 */
export async function writeCountryCounts(tx: pg.ClientBase, deltas: CountryCountDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const json = JSON.stringify(deltas);
  await tx.query(
    `INSERT INTO diplomatic_event_country_counts_daily AS c (day, country, events)
     SELECT day, country, events FROM json_to_recordset($1::json) AS r(day date, country text, events integer)
     ON CONFLICT (day, country) DO UPDATE SET events = c.events + EXCLUDED.events`,
    [json],
  );
  if (deltas.some((delta) => delta.events < 0)) {
    await tx.query(
      `DELETE FROM diplomatic_event_country_counts_daily c
        USING json_to_recordset($1::json) AS r(day date, country text, events integer)
        WHERE r.events < 0 AND c.day = r.day AND c.country = r.country AND c.events = 0`,
      [json],
    );
  }
}
