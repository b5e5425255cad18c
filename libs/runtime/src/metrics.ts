import {
  Controller,
  type DynamicModule,
  Get,
  Header,
  Inject,
  Injectable,
  Module,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  MESSAGING_METRICS,
  type ConsumeOutcome,
  type MessagingMetrics,
  type PublishOutcome,
} from '@diplowatch/messaging';

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');
export type MetricsOptions = { app: string };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one app, in a registry of its own (not prom-client's global one,
 * so several apps booted in one test process do not collide). Every series carries
 * `app="<name>"`. It implements the messaging hooks, so consumers and the publisher report here.
 */
@Injectable()
export class MetricsService implements MessagingMetrics, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly eventsConsumed: Counter<'consumer' | 'type' | 'outcome'>;
  private readonly eventsPublished: Counter<'type' | 'outcome'>;
  private readonly handlerDuration: Histogram<'consumer'>;
  private readonly handlerBatchSize: Histogram<'consumer'>;
  private readonly pending: Gauge<'consumer'>;
  private readonly ackPending: Gauge<'consumer'>;
  private readonly errors: Counter<'kind'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(METRICS_OPTIONS) options: MetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ app: options.app });
    collectDefaultMetrics({ register: this.registry, prefix: 'diplowatch_' });
    this.eventsConsumed = new Counter({
      name: 'diplowatch_events_consumed_total',
      help: 'Log events settled by a consumer: outcome ack, nak (retried later) or dead_letter',
      labelNames: ['consumer', 'type', 'outcome'],
      registers,
    });
    this.eventsPublished = new Counter({
      name: 'diplowatch_events_published_total',
      help: 'Events published to the log: outcome stored, duplicate (dropped by Nats-Msg-Id) or error',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'diplowatch_event_handler_duration_seconds',
      help: 'Time one handler call took (one message, or one batch for batch consumers)',
      labelNames: ['consumer'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.handlerBatchSize = new Histogram({
      name: 'diplowatch_event_handler_batch_size',
      help: 'Messages per handler call',
      labelNames: ['consumer'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    });
    this.pending = new Gauge({
      name: 'diplowatch_consumer_pending_messages',
      help: 'Consumer lag: messages in the stream not yet delivered to the durable consumer (num_pending)',
      labelNames: ['consumer'],
      registers,
    });
    this.ackPending = new Gauge({
      name: 'diplowatch_consumer_ack_pending_messages',
      help: 'Messages delivered to the durable consumer and not acked yet (num_ack_pending)',
      labelNames: ['consumer'],
      registers,
    });
    this.errors = new Counter({
      name: 'diplowatch_errors_total',
      help: 'Failures by kind: handler, dead_letter_publish, consumer_lag_poll, http_5xx, backpressure (a full log refused a consumer publish)',
      labelNames: ['kind'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'diplowatch_http_request_duration_seconds',
      help: 'HTTP requests by route template (never the raw URL) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  consumed(consumer: string, eventType: string, outcome: ConsumeOutcome): void {
    this.eventsConsumed.inc({ consumer, type: eventType, outcome });
  }

  handled(consumer: string, seconds: number, messages: number): void {
    this.handlerDuration.observe({ consumer }, seconds);
    this.handlerBatchSize.observe({ consumer }, messages);
  }

  published(eventType: string, outcome: PublishOutcome): void {
    this.eventsPublished.inc({ type: eventType, outcome });
  }

  consumerLag(consumer: string, pending: number, ackPending: number): void {
    this.pending.set({ consumer }, pending);
    this.ackPending.set({ consumer }, ackPending);
  }

  error(kind: string): void {
    this.errors.inc({ kind });
  }

  /** Express middleware timing every request; labelled by the matched route so URLs add no series. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      res.once('finish', () => {
        const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
        const status = String(res.statusCode);
        this.httpDuration.observe(
          { method: req.method, route, status },
          (performance.now() - started) / 1000,
        );
        if (res.statusCode >= 500) this.error('http_5xx');
      });
      next();
    };
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}

/**
 * GET /metrics in the Prometheus text format. Workers serve it on HEALTH_PORT without
 * credentials (that port listens on 127.0.0.1 unless configured otherwise); on the API it
 * falls under the API key guard like every read (scope "read"): Prometheus sends a key as a
 * bearer token (see docs/read-models.md).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Imported once per app (bootApp does it): metrics, GET /metrics, and the messaging hooks. */
@Module({})
export class MetricsModule {
  static forApp(app: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: METRICS_OPTIONS, useValue: { app } satisfies MetricsOptions },
        MetricsService,
        { provide: MESSAGING_METRICS, useExisting: MetricsService },
      ],
      exports: [MetricsService, MESSAGING_METRICS],
    };
  }
}
