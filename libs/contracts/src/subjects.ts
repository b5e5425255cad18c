import { type EventType, eventRegistry } from './registry';

/**
 * Stream and subject names, derived from one namespace so that tests (and parallel
 * deployments) can run side by side on one nats-server without sharing anything.
 */
export type Topology = {
  namespace: string;
  /** The event log: every event the pipeline publishes. */
  eventStream: string;
  /** Messages no consumer could read, with the reason, kept for inspection. */
  deadLetterStream: string;
  eventSubjects: string;
  deadLetterSubjects: string;
  subjectFor(type: EventType): string;
  deadLetterSubjectFor(consumer: string): string;
};

export function topology(namespace: string): Topology {
  if (!/^[a-z][a-z0-9_-]{0,40}$/.test(namespace)) {
    throw new Error(`namespace "${namespace}" must match [a-z][a-z0-9_-]{0,40}`);
  }
  const upper = namespace.toUpperCase().replace(/-/g, '_');
  return {
    namespace,
    eventStream: `${upper}_EVENTS`,
    deadLetterStream: `${upper}_DLQ`,
    eventSubjects: `${namespace}.events.>`,
    deadLetterSubjects: `${namespace}.dlq.>`,
    subjectFor: (type) => `${namespace}.events.${eventRegistry[type].subject}`,
    deadLetterSubjectFor: (consumer) => `${namespace}.dlq.${consumer}`,
  };
}
