import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventConsumer, JetStreamService } from '@diplowatch/messaging';
import { HealthRegistry } from '@diplowatch/runtime';
import { startReadModelProjection } from './projection-runner';
import { ReadModelDatabase } from './read-model.database';
import { ReadModelWriter } from './read-model.writer';

export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');
export type ProjectorOptions = { durable: string };

/** Reads the whole event log with one durable consumer that every replica shares. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private consumer: EventConsumer | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly database: ReadModelDatabase,
    private readonly writer: ReadModelWriter,
    private readonly health: HealthRegistry,
    @Inject(PROJECTOR_OPTIONS) private readonly options: ProjectorOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('database', () => this.database.ping());
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    await this.database.waitUntilReady();
    await this.jetstream.connect();
    const { topology } = this.jetstream;
    this.consumer = await startReadModelProjection({
      js: this.jetstream.js,
      jsm: this.jetstream.jsm,
      topology,
      durable: this.options.durable,
      writer: this.writer,
      logger: this.logger,
      metrics: this.jetstream.metrics,
    });
    this.logger.log(`projecting ${topology.eventStream} with durable consumer "${this.options.durable}"`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
