import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventConsumer, JetStreamService, ensureDurableConsumer } from '@diplowatch/messaging';
import { PrismaService } from '@diplowatch/persistence';
import { HealthRegistry } from '@diplowatch/runtime';
import { ReadModelWriter } from './read-model.writer';

export const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');
export type ProjectorOptions = { durable: string };

const MAX_DELIVER = 20;

/** Reads the whole event log with one durable consumer that every replica shares. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private consumer: EventConsumer | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly prisma: PrismaService,
    private readonly writer: ReadModelWriter,
    private readonly health: HealthRegistry,
    @Inject(PROJECTOR_OPTIONS) private readonly options: ProjectorOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('database', () => this.prisma.ping());
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    await this.prisma.waitUntilReady();
    await this.jetstream.connect();
    const { topology } = this.jetstream;
    await ensureDurableConsumer(this.jetstream.jsm, {
      stream: topology.eventStream,
      durable: this.options.durable,
      maxDeliver: MAX_DELIVER,
      ackWaitSeconds: 30,
    });
    this.consumer = new EventConsumer({
      js: this.jetstream.js,
      topology,
      durable: this.options.durable,
      maxDeliver: MAX_DELIVER,
      logger: this.logger,
      handler: (consumed) => this.writer.apply(consumed),
    });
    await this.consumer.start();
    this.logger.log(`projecting ${topology.eventStream} with durable consumer "${this.options.durable}"`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
