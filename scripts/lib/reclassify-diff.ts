// What a reclassification changed for one article: its diplomatic events before (as the read
// models hold them) and after (as the current watch finds them), matched up. Pure.

/** A diplomatic event as compared: enough to say what changed. */
export type EventSnapshot = {
  /** The classifier's merge key (new events), or the read model's id (old events). */
  id: string;
  type: string;
  countries: string[];
  actors: string[];
  startDate: string | null;
  endDate: string | null;
};

/** An event of the previous classification, with the classifier keys known to lead to it. */
export type OldEvent = EventSnapshot & { keys: string[] };

export type ChangedField = 'type' | 'countries' | 'actors' | 'dates';

export type EventChange = { before: EventSnapshot; after: EventSnapshot; fields: ChangedField[] };

export type ArticleDiff = {
  articleId: string;
  title: string;
  rulesBefore: string | null;
  rulesAfter: string;
  relevantBefore: boolean | null;
  relevantAfter: boolean;
  appeared: EventSnapshot[];
  changed: EventChange[];
  vanished: EventSnapshot[];
  unchanged: number;
};

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
};

const fieldsChanged = (before: EventSnapshot, after: EventSnapshot): ChangedField[] => {
  const fields: ChangedField[] = [];
  if (before.type !== after.type) fields.push('type');
  if (!sameSet(before.countries, after.countries)) fields.push('countries');
  if (!sameSet(before.actors, after.actors)) fields.push('actors');
  if (before.startDate !== after.startDate || before.endDate !== after.endDate) fields.push('dates');
  return fields;
};

/**
 * Pairs old and new events: first by identity (the classifier's key, which hashes type,
 * countries, principal actor and date, so an unchanged act keeps it), then the rest as one act
 * told differently — same type and shared countries, then shared countries, then same type.
 * Countries are compared without the watch's anchor (every act involves Russia, so sharing it
 * says nothing). What stays unpaired appeared (new) or vanished (old).
 */
export const diffArticleEvents = (
  base: Omit<ArticleDiff, 'appeared' | 'changed' | 'vanished' | 'unchanged'>,
  before: readonly OldEvent[],
  after: readonly EventSnapshot[],
  anchor: readonly string[] = [],
): ArticleDiff => {
  const overlaps = (a: readonly string[], b: readonly string[]): boolean =>
    a.some((x) => !anchor.includes(x) && b.includes(x));
  const oldLeft = [...before];
  const newLeft = [...after];
  const pairs: { before: EventSnapshot; after: EventSnapshot }[] = [];
  const take = (match: (o: OldEvent, n: EventSnapshot) => boolean): void => {
    for (const n of [...newLeft]) {
      const o = oldLeft.find((x) => match(x, n));
      if (!o) continue;
      oldLeft.splice(oldLeft.indexOf(o), 1);
      newLeft.splice(newLeft.indexOf(n), 1);
      const { keys: _keys, ...snapshot } = o;
      pairs.push({ before: snapshot, after: n });
    }
  };
  take((o, n) => o.id === n.id || o.keys.includes(n.id));
  take((o, n) => o.type === n.type && overlaps(o.countries, n.countries));
  take((o, n) => overlaps(o.countries, n.countries));
  take((o, n) => o.type === n.type);

  const changed: EventChange[] = [];
  let unchanged = 0;
  for (const p of pairs) {
    const fields = fieldsChanged(p.before, p.after);
    if (fields.length > 0) changed.push({ ...p, fields });
    else unchanged++;
  }
  return {
    ...base,
    appeared: newLeft,
    changed,
    vanished: oldLeft.map(({ keys: _keys, ...snapshot }) => snapshot),
    unchanged,
  };
};

export type ReclassifyTotals = {
  articles: number;
  /** Articles already classified under the current rules and content (skipped unless forced). */
  current: number;
  reclassified: number;
  relevantBefore: number;
  relevantAfter: number;
  appeared: number;
  changed: number;
  vanished: number;
  unchanged: number;
  published: number;
  duplicates: number;
};

const describe = (e: EventSnapshot): string => {
  const dates = e.startDate
    ? ` ${e.startDate}${e.endDate && e.endDate !== e.startDate ? `..${e.endDate}` : ''}`
    : '';
  const actors = e.actors.length ? ` — ${e.actors.join(', ')}` : '';
  return `${e.type} ${e.countries.join(',')}${actors}${dates}`;
};

/** The human-readable report: one block per article whose events changed, then totals. */
export const formatReclassifyReport = (
  diffs: readonly ArticleDiff[],
  totals: ReclassifyTotals,
  header: string,
): string[] => {
  const lines = [header, ''];
  for (const d of diffs) {
    if (
      d.appeared.length + d.changed.length + d.vanished.length === 0 &&
      d.relevantBefore === d.relevantAfter
    )
      continue;
    const verdict =
      d.relevantBefore === d.relevantAfter
        ? ''
        : ` (relevant: ${d.relevantBefore === null ? 'unclassified' : d.relevantBefore} -> ${d.relevantAfter})`;
    lines.push(
      `${d.articleId} [${d.rulesBefore ?? '-'} -> ${d.rulesAfter}] ${d.title.slice(0, 90)}${verdict}`,
    );
    for (const e of d.appeared) lines.push(`  + appeared  ${describe(e)}`);
    for (const c of d.changed)
      lines.push(`  ~ changed   ${describe(c.before)}  =>  ${describe(c.after)}  (${c.fields.join(', ')})`);
    for (const e of d.vanished) lines.push(`  - vanished  ${describe(e)}`);
  }
  lines.push(
    '',
    `${totals.articles} articles: ${totals.reclassified} reclassified, ${totals.current} already current`,
    `relevant: ${totals.relevantBefore} before, ${totals.relevantAfter} after`,
    `diplomatic events: ${totals.appeared} appeared, ${totals.changed} changed, ${totals.vanished} vanished, ${totals.unchanged} unchanged`,
    `published: ${totals.published} events (${totals.duplicates} dropped as duplicates by the stream)`,
  );
  return lines;
};
