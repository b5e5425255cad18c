import { type Actor } from '@diplowatch/contracts';
import { type CsvValue, csvRow } from './csv';

/** A diplomatic event as the list, the export and `asOf` queries present it. */
export type EventListItem = {
  id: string;
  type: string;
  countries: string[];
  actors: Actor[];
  confidence: number;
  summary: string;
  eventDate: string;
  startDate: string | null;
  endDate: string | null;
  place: string | null;
  topics: string[];
  rulesVersion: string;
  firstSeenAt: string;
  lastSeenAt: string;
  sourceCount: number;
};

/** The CSV columns: one value per cell, lists joined by "; " (a spreadsheet has no arrays). */
const columns: ReadonlyArray<[string, (item: EventListItem) => CsvValue]> = [
  ['id', (item) => item.id],
  ['type', (item) => item.type],
  ['event_date', (item) => item.eventDate],
  ['start_date', (item) => item.startDate],
  ['end_date', (item) => item.endDate],
  ['countries', (item) => item.countries.join('; ')],
  ['actors', (item) => item.actors.map((actor) => actor.name).join('; ')],
  ['confidence', (item) => item.confidence],
  ['summary', (item) => item.summary],
  ['place', (item) => item.place],
  ['topics', (item) => item.topics.join('; ')],
  ['source_count', (item) => item.sourceCount],
  ['first_seen_at', (item) => item.firstSeenAt],
  ['last_seen_at', (item) => item.lastSeenAt],
  ['rules_version', (item) => item.rulesVersion],
];

export const eventCsvHeader = csvRow(columns.map(([name]) => name));

export function eventCsvRow(item: EventListItem): string {
  return csvRow(columns.map(([, value]) => value(item)));
}

export function eventNdjsonLine(item: EventListItem): string {
  return `${JSON.stringify(item)}\n`;
}
