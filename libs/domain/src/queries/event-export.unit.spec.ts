import { type EventListItem, eventCsvHeader, eventCsvRow, eventNdjsonLine } from './event-export';

const item: EventListItem = {
  id: 'de:1',
  type: 'visit',
  countries: ['IDN', 'MYS', 'RUS'],
  actors: [
    { name: 'Sergei Shoigu', office: null, country: 'RUS', role: 'actor' },
    { name: 'Anwar Ibrahim', office: null, country: 'MYS', role: 'host' },
  ],
  confidence: 0.9,
  summary: '=Shoigu visits Indonesia, then Malaysia',
  eventDate: '2025-02-24',
  startDate: '2025-02-24',
  endDate: null,
  place: null,
  topics: ['defense', 'security'],
  rulesVersion: '1.0.0',
  firstSeenAt: '2025-02-24T08:00:00.000Z',
  lastSeenAt: '2025-02-25T08:00:00.000Z',
  sourceCount: 2,
};

describe('event export', () => {
  it('writes a header and one CSV record per event, lists joined, formulas defused', () => {
    expect(eventCsvHeader).toBe(
      'id,type,event_date,start_date,end_date,countries,actors,confidence,summary,place,topics,source_count,first_seen_at,last_seen_at,rules_version\r\n',
    );
    expect(eventCsvRow(item)).toBe(
      `de:1,visit,2025-02-24,2025-02-24,,IDN; MYS; RUS,Sergei Shoigu; Anwar Ibrahim,0.9,"'=Shoigu visits Indonesia, then Malaysia",,defense; security,2,2025-02-24T08:00:00.000Z,2025-02-25T08:00:00.000Z,1.0.0\r\n`,
    );
  });

  it('writes one JSON object a line as NDJSON', () => {
    const line = eventNdjsonLine(item);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual(item);
  });
});
