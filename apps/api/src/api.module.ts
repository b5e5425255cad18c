import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type ApiEnv } from '@diplowatch/config';
import { JetStreamService, messagingOptionsProvider } from '@diplowatch/messaging';
import {
  PERSISTENCE_OPTIONS,
  PrismaReadService,
  PrismaService,
  READ_PERSISTENCE_OPTIONS,
} from '@diplowatch/persistence';
import { HealthModule, HealthRegistry } from '@diplowatch/runtime';
import { AUTH_OPTIONS, ApiKeyGuard, type AuthOptions } from './auth/api-key.guard';
import { ConsoleController } from './console/console.controller';
import { EventsExporter } from './events-export.service';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { feedControllers, feedProviders } from './feeds';
import { ReadDatabase } from './read-database';
import { StatsController } from './stats.controller';
import { subscriptionControllers, subscriptionProviders } from './subscriptions';

/** Readiness: the database answers (reads) and NATS is connected (alert streams, later). */
@Injectable()
class ApiReadiness implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    private readonly prisma: PrismaService,
    private readonly reader: PrismaReadService,
    private readonly jetstream: JetStreamService,
  ) {}

  onApplicationBootstrap() {
    this.health.register('database', () => this.prisma.ping());
    if (this.reader !== this.prisma) this.health.register('database_read', () => this.reader.ping());
    this.health.register('nats', async () => ({ ok: this.jetstream.isConnected() }));
    // Not awaited: the API serves what Postgres has even while NATS is away.
    this.jetstream.connect().catch(() => undefined);
  }
}

export function apiModule(env: ApiEnv) {
  @Module({
    imports: [HealthModule],
    controllers: [
      EventsController,
      StatsController,
      ...subscriptionControllers,
      ...feedControllers,
      ConsoleController,
    ],
    providers: [
      messagingOptionsProvider(env, 'api'),
      {
        provide: PERSISTENCE_OPTIONS,
        useValue: { databaseUrl: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
      },
      { provide: AUTH_OPTIONS, useValue: { readOpen: env.API_READ_OPEN } satisfies AuthOptions },
      { provide: APP_GUARD, useClass: ApiKeyGuard },
      PrismaService,
      // Query endpoints read through ReadDatabase (raw pg) and PrismaReadService: a replica when
      // DATABASE_READ_URL is set.
      // Everything that writes, or reads what it just wrote (keys, subscriptions, feeds), stays
      // on DATABASE_URL.
      ...(env.DATABASE_READ_URL
        ? [
            {
              provide: READ_PERSISTENCE_OPTIONS,
              useValue: { databaseUrl: env.DATABASE_READ_URL, poolSize: env.DATABASE_POOL_SIZE },
            },
            PrismaReadService,
          ]
        : [{ provide: PrismaReadService, useExisting: PrismaService }]),
      {
        provide: ReadDatabase,
        useFactory: () =>
          new ReadDatabase({
            databaseUrl: env.DATABASE_READ_URL ?? env.DATABASE_URL,
            poolSize: env.DATABASE_POOL_SIZE,
          }),
      },
      {
        provide: EventsRepository,
        useFactory: (db: ReadDatabase, reader: PrismaService) => new EventsRepository(db, reader),
        inject: [ReadDatabase, PrismaReadService],
      },
      JetStreamService,
      EventsExporter,
      ApiReadiness,
      ...subscriptionProviders(),
      ...feedProviders(env),
    ],
  })
  class ApiModule {}
  return ApiModule;
}
