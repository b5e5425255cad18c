import { z } from 'zod';

/** Metadata that links events into causal chains (article -> classification -> diplomatic events). */
export const eventMetadataSchema = z.object({
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

/**
 * Every message on the log is an envelope. `id` is derived from what the event says, so
 * re-publishing the same fact yields the same `Nats-Msg-Id` and JetStream drops the copy.
 */
export const envelopeSchema = z.object({
  type: z.string().min(1),
  version: z.number().int().positive(),
  id: z.string().min(1).max(200),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
  metadata: eventMetadataSchema,
});
export type RawEnvelope = z.infer<typeof envelopeSchema>;

export type Envelope<TType extends string, TData> = {
  type: TType;
  version: number;
  id: string;
  occurredAt: string;
  data: TData;
  metadata: EventMetadata;
};
