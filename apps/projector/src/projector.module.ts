import { Module } from '@nestjs/common';
import { type ProjectorEnv } from '@diplowatch/config';
import { JetStreamService, messagingOptionsProvider } from '@diplowatch/messaging';
import { PERSISTENCE_OPTIONS } from '@diplowatch/persistence';
import { HealthModule } from '@diplowatch/runtime';
import { PROJECTOR_OPTIONS, ProjectorService } from './projector.service';
import { ReadModelDatabase, type ReadModelDatabaseOptions } from './read-model.database';
import { ReadModelWriter } from './read-model.writer';

export function projectorModule(
  env: ProjectorEnv & { PROJECTOR_DURABLE?: string; PROJECTOR_SYNCHRONOUS_COMMIT?: 'on' | 'off' },
) {
  @Module({
    imports: [HealthModule],
    providers: [
      messagingOptionsProvider(env, 'projector'),
      {
        provide: PERSISTENCE_OPTIONS,
        useValue: {
          databaseUrl: env.DATABASE_URL,
          poolSize: env.DATABASE_POOL_SIZE,
          synchronousCommit: env.PROJECTOR_SYNCHRONOUS_COMMIT !== 'off',
        } satisfies ReadModelDatabaseOptions,
      },
      { provide: PROJECTOR_OPTIONS, useValue: { durable: env.PROJECTOR_DURABLE ?? 'projector' } },
      JetStreamService,
      ReadModelDatabase,
      ReadModelWriter,
      ProjectorService,
    ],
  })
  class ProjectorModule {}
  return ProjectorModule;
}
