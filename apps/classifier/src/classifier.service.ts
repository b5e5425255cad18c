import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Watch, loadDefaultWatch, loadWatch } from '@diplowatch/domain';
import { EventConsumer, JetStreamService, ensureDurableConsumer } from '@diplowatch/messaging';
import { HealthRegistry } from '@diplowatch/runtime';
import { eventsForArticle } from './classification.handler';

export const CLASSIFIER_OPTIONS = Symbol('CLASSIFIER_OPTIONS');
export type ClassifierOptions = { watchDir?: string };

const DURABLE = 'classifier';
const MAX_DELIVER = 10;

@Injectable()
export class ClassifierService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Classifier');
  private consumer: EventConsumer | undefined;
  private watch: Watch | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly health: HealthRegistry,
    @Inject(CLASSIFIER_OPTIONS) private readonly options: ClassifierOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Bad rules stop the process at boot with the file and line, not at the first article.
    this.watch = this.options.watchDir ? loadWatch(this.options.watchDir) : loadDefaultWatch();
    const watch = this.watch;
    this.logger.log(`watch "${watch.id}" rules ${watch.version} loaded`);
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    await this.jetstream.connect();
    const { topology } = this.jetstream;
    await ensureDurableConsumer(this.jetstream.jsm, {
      stream: topology.eventStream,
      durable: DURABLE,
      filterSubject: topology.subjectFor('ArticleIngested'),
      maxDeliver: MAX_DELIVER,
    });
    this.consumer = new EventConsumer({
      js: this.jetstream.js,
      topology,
      durable: DURABLE,
      maxDeliver: MAX_DELIVER,
      logger: this.logger,
      metrics: this.jetstream.metrics,
      handler: async (consumed) => {
        // In order, so the classification precedes the diplomatic events it lists.
        for (const event of eventsForArticle(consumed, watch)) await this.jetstream.publisher.publish(event);
      },
    });
    const consumer = this.consumer;
    this.jetstream.beforeDrain(() => consumer.stop());
    await consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
