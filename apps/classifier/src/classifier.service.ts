import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Watch, loadDefaultWatch, loadWatch } from '@diplowatch/domain';
import {
  type BatchFailure,
  EventConsumer,
  JetStreamService,
  ensureDurableConsumer,
} from '@diplowatch/messaging';
import { HealthRegistry } from '@diplowatch/runtime';
import { eventsForArticle } from './classification.handler';

export const CLASSIFIER_OPTIONS = Symbol('CLASSIFIER_OPTIONS');
export type ClassifierOptions = {
  watchDir?: string;
  /** Tests only: the durable consumer's retry budget and ack wait (defaults 10 and 30 s). */
  maxDeliver?: number;
  ackWaitSeconds?: number;
};

const DURABLE = 'classifier';
const MAX_DELIVER = 10;
/** Articles classified and published together. */
const MAX_BATCH = 128;

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
    const maxDeliver = this.options.maxDeliver ?? MAX_DELIVER;
    await ensureDurableConsumer(this.jetstream.jsm, {
      stream: topology.eventStream,
      durable: DURABLE,
      filterSubject: topology.subjectFor('ArticleIngested'),
      maxDeliver,
      ackWaitSeconds: this.options.ackWaitSeconds,
    });
    this.consumer = new EventConsumer({
      js: this.jetstream.js,
      topology,
      durable: DURABLE,
      maxDeliver,
      logger: this.logger,
      metrics: this.jetstream.metrics,
      // Batches, articles in parallel: one at a time, each article waited for its publish acks
      // in turn, and on a busy machine the classifier fell behind at 200 articles/s while using
      // 0.2 cores (bench/e2e: log -> classified p50 4.8 s; batched: 0.12 s). Classifying is
      // synchronous, so a batch is classified first and its publishes then overlap.
      maxBatch: MAX_BATCH,
      batchSize: 2 * MAX_BATCH,
      batchHandler: async (batch) => {
        const failures: BatchFailure[] = [];
        await Promise.all(
          batch.map(async (consumed) => {
            try {
              // In order, so the classification precedes the diplomatic events it lists.
              for (const event of eventsForArticle(consumed, watch)) {
                await this.jetstream.publisher.publish(event);
              }
            } catch (error) {
              failures.push({ streamSequence: consumed.streamSequence, error: error as Error });
            }
          }),
        );
        return { failures };
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
