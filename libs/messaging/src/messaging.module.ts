import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { type Topology, topology as buildTopology } from '@diplowatch/contracts';
import { connectNats } from './nats-connection';
import { ensureStreams, type StreamSettings } from './jetstream-setup';
import { EventPublisher } from './event-publisher';
import { MESSAGING_METRICS, type MessagingMetrics } from './messaging-metrics';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export type MessagingOptions = {
  natsUrl: string;
  namespace: string;
  appName: string;
  streams: StreamSettings;
};

/**
 * Owns the NATS connection of one app: connects (waiting for the server), ensures the
 * streams exist, and drains on shutdown so in-flight publishes and acks are flushed.
 */
@Injectable()
export class JetStreamService implements OnApplicationShutdown {
  private readonly logger = new Logger('JetStream');
  private nc: NatsConnection | undefined;
  private jsClient: JetStreamClient | undefined;
  private jsmClient: JetStreamManager | undefined;
  private publisherInstance: EventPublisher | undefined;
  private readonly beforeDrainHooks: Array<() => Promise<void>> = [];
  readonly topology: Topology;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    /** Provided by the app (libs/runtime's MetricsModule); pass it on to EventConsumer too. */
    @Optional() @Inject(MESSAGING_METRICS) readonly metrics?: MessagingMetrics,
  ) {
    this.topology = buildTopology(options.namespace);
  }

  async connect(): Promise<void> {
    if (this.nc) return;
    this.logger.log(`connecting to ${this.options.natsUrl} (waits until the server answers)`);
    this.nc = await connectNats({
      servers: this.options.natsUrl,
      name: `diplowatch-${this.options.appName}`,
      log: (message) => this.logger.warn(message),
    });
    this.jsClient = jetstream(this.nc);
    this.jsmClient = await jetstreamManager(this.nc);
    await ensureStreams(this.jsmClient, this.topology, this.options.streams);
    this.publisherInstance = new EventPublisher(this.jsClient, this.topology, this.metrics);
    this.logger.log(
      `connected; streams ${this.topology.eventStream}, ${this.topology.deadLetterStream} ready`,
    );
  }

  get connection(): NatsConnection {
    if (!this.nc) throw new Error('JetStreamService.connect() was not called');
    return this.nc;
  }

  get js(): JetStreamClient {
    if (!this.jsClient) throw new Error('JetStreamService.connect() was not called');
    return this.jsClient;
  }

  get jsm(): JetStreamManager {
    if (!this.jsmClient) throw new Error('JetStreamService.connect() was not called');
    return this.jsmClient;
  }

  get publisher(): EventPublisher {
    if (!this.publisherInstance) throw new Error('JetStreamService.connect() was not called');
    return this.publisherInstance;
  }

  isConnected(): boolean {
    return !!this.nc && !this.nc.isClosed();
  }

  /**
   * Work to finish before the connection drains, e.g. a consumer's stop(): Nest runs the
   * providers' shutdown hooks concurrently, and a handler still publishing or acking when the
   * connection drains would fail and see its message redelivered instead of finished.
   */
  beforeDrain(stop: () => Promise<void>): void {
    this.beforeDrainHooks.push(stop);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.beforeDrainHooks.map((stop) => stop()));
    if (!this.nc || this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch (error) {
      this.logger.warn(`drain failed: ${(error as Error).message}`);
    }
  }
}

/** The MESSAGING_OPTIONS provider every app builds from its parsed environment. */
export function messagingOptionsProvider(
  env: {
    NATS_URL: string;
    DW_NAMESPACE: string;
    STREAM_DUPLICATE_WINDOW_SECONDS: number;
    STREAM_MAX_AGE_DAYS: number;
    STREAM_REPLICAS: number;
  },
  appName: string,
) {
  const options: MessagingOptions = {
    natsUrl: env.NATS_URL,
    namespace: env.DW_NAMESPACE,
    appName,
    streams: {
      duplicateWindowSeconds: env.STREAM_DUPLICATE_WINDOW_SECONDS,
      maxAgeDays: env.STREAM_MAX_AGE_DAYS,
      replicas: env.STREAM_REPLICAS,
    },
  };
  return { provide: MESSAGING_OPTIONS, useValue: options };
}
