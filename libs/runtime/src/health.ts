import { Controller, Get, Global, Injectable, Module, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from './access';

export type HealthCheck = () => Promise<{ ok: boolean; detail?: string }>;

/** Services register what "ready" means for them (NATS connected, database answering…). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly startedAt = Date.now();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<{
    status: 'ok' | 'unavailable';
    uptimeSeconds: number;
    checks: Record<string, unknown>;
  }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          const result = await Promise.race([
            check(),
            new Promise<{ ok: false; detail: string }>((resolve) =>
              setTimeout(() => resolve({ ok: false, detail: 'check timed out' }), 2000).unref(),
            ),
          ]);
          return [name, result] as const;
        } catch (error) {
          return [name, { ok: false, detail: (error as Error).message }] as const;
        }
      }),
    );
    const ok = entries.every(([, result]) => result.ok);
    return {
      status: ok ? 'ok' : 'unavailable',
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      checks: Object.fromEntries(entries),
    };
  }
}

@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the process answers. Restarting it will not fix a missing dependency. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers; 503 with the failing ones otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const report = await this.registry.report();
    if (report.status !== 'ok') res.status(503);
    return report;
  }
}

@Global()
@Module({ providers: [HealthRegistry], controllers: [HealthController], exports: [HealthRegistry] })
export class HealthModule {}
