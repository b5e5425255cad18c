import { Module } from '@nestjs/common';
import { type ClassifierEnv } from '@diplowatch/config';
import { JetStreamService, messagingOptionsProvider } from '@diplowatch/messaging';
import { HealthModule } from '@diplowatch/runtime';
import { CLASSIFIER_OPTIONS, ClassifierService } from './classifier.service';

export function classifierModule(env: ClassifierEnv) {
  @Module({
    imports: [HealthModule],
    providers: [
      messagingOptionsProvider(env, 'classifier'),
      { provide: CLASSIFIER_OPTIONS, useValue: { watchDir: env.WATCH_DIR } },
      JetStreamService,
      ClassifierService,
    ],
  })
  class ClassifierModule {}
  return ClassifierModule;
}
