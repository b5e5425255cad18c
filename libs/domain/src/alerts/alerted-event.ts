import { type DiplomaticEventDetectedV1 } from '@diplowatch/contracts';
import { type DiplomaticEventView, evolveDiplomaticEvent } from '../projections';

/**
 * The alerter's own view of a diplomatic event, folded from the detections it consumes (it does
 * not wait for the projector). Keyed by the classifier's merge key, the detection's
 * `diplomaticEventId`; the projector may consolidate further, alerts do not.
 */
export type AlertedEventState = {
  view: DiplomaticEventView;
  sourceArticleIds: string[];
  /** Evidence sentences, for keyword filters (the first MAX_EVIDENCE). */
  evidence: string[];
  /** Bumped on every change; an update alert is identified by the version it reports. */
  version: number;
  /** When the log first recorded the event (the first detection's occurredAt). */
  firstRecordedAt: string;
};

export type DetectionRecord = {
  data: DiplomaticEventDetectedV1;
  /** The detection event's occurredAt: when the log recorded it. */
  occurredAt: string;
  streamSequence: number;
};

export type AlertedEventChange =
  | { kind: 'created' }
  | {
      kind: 'updated';
      sourceAdded: boolean;
      typeChanged: boolean;
      previousType: string;
      previousSourceCount: number;
      addedCountries: string[];
    }
  /** Nothing new, or a redelivery of a detection already folded in. */
  | { kind: 'unchanged' };

const MAX_EVIDENCE = 50;

function detectionTypeWins(state: AlertedEventState, record: DetectionRecord): boolean {
  // The merge key includes the type, so a type change reaches this id only if the classifier's
  // merge rules change; a later rules version (or the same one, later in the log) then wins.
  return record.data.type !== state.view.type && record.data.rulesVersion >= state.view.rulesVersion;
}

/**
 * evolve(state | null, detection) -> { state, change }. A detection from an article already
 * counted, at or below the last stream sequence folded in, is a redelivery: unchanged.
 */
export function evolveAlertedEvent(
  state: AlertedEventState | null,
  record: DetectionRecord,
): { state: AlertedEventState; change: AlertedEventChange } {
  const { data, occurredAt, streamSequence } = record;
  const sentences = data.evidence.map((item) => item.sentence);
  if (!state) {
    return {
      state: {
        view: evolveDiplomaticEvent(null, { data, occurredAt, streamSequence, isNewSource: true }),
        sourceArticleIds: [data.articleId],
        evidence: [...new Set(sentences)].slice(0, MAX_EVIDENCE),
        version: 1,
        firstRecordedAt: occurredAt,
      },
      change: { kind: 'created' },
    };
  }
  const known = state.sourceArticleIds.includes(data.articleId);
  if (known && streamSequence <= state.view.lastSequence) return { state, change: { kind: 'unchanged' } };

  const typeChanged = detectionTypeWins(state, record);
  const folded = evolveDiplomaticEvent(state.view, {
    data,
    occurredAt,
    streamSequence,
    isNewSource: !known,
  });
  const view = typeChanged ? { ...folded, type: data.type, summary: data.summary } : folded;
  const next: AlertedEventState = {
    view,
    sourceArticleIds: known ? state.sourceArticleIds : [...state.sourceArticleIds, data.articleId],
    evidence: [...new Set([...state.evidence, ...sentences])].slice(0, MAX_EVIDENCE),
    version: state.version + 1,
    firstRecordedAt: state.firstRecordedAt < occurredAt ? state.firstRecordedAt : occurredAt,
  };
  return {
    state: next,
    change: {
      kind: 'updated',
      sourceAdded: !known,
      typeChanged,
      previousType: state.view.type,
      previousSourceCount: state.view.sourceCount,
      addedCountries: view.countries.filter((code) => !state.view.countries.includes(code)),
    },
  };
}
