/**
 * The Kubernetes manifests in deploy/k8s are checked against the code: each Deployment runs
 * an app that exists, with health probes on the paths the apps serve, resource requests, and
 * configuration every app's environment schema accepts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { apiEnvSchema, classifierEnvSchema, ingesterEnvSchema, projectorEnvSchema } from '@diplowatch/config';
import { alerterEnvSchema } from '../../apps/alerter/src/alerter.env';

const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'deploy', 'k8s');

type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

const manifests: Manifest[] = readdirSync(dir)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJSON() as Manifest;
    }),
  );

const schemas = {
  ingester: ingesterEnvSchema,
  classifier: classifierEnvSchema,
  projector: projectorEnvSchema,
  alerter: alerterEnvSchema,
  api: apiEnvSchema,
};
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const configMap = manifests.find((m) => m.kind === 'ConfigMap')!;
const secret = manifests.find((m) => m.kind === 'Secret')!;

describe('deploy/k8s manifests', () => {
  it('has one Deployment per app', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      Object.keys(schemas)
        .map((app) => `diplowatch-${app}`)
        .sort(),
    );
  });

  describe.each(deployments.map((d) => [d.metadata.name, d] as const))('%s', (_name, deployment) => {
    const container = deployment.spec.template.spec.containers[0];
    const app = container.name as keyof typeof schemas;

    it('runs the compiled entry point of an app that exists', () => {
      expect(container.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      expect(existsSync(path.join(root, 'apps', app, 'src', 'main.ts'))).toBe(true);
    });

    it('probes the health endpoints the app serves, on its HTTP port', () => {
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.ports.map((p: { name: string }) => p.name)).toContain(
        container.readinessProbe.httpGet.port,
      );
    });

    it('requests CPU and memory, with a memory limit within the 256 MiB budget', () => {
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.requests.memory).toBeDefined();
      expect(container.resources.limits.memory).toMatch(/^(\d+)Mi$/);
      expect(Number.parseInt(container.resources.limits.memory, 10)).toBeLessThanOrEqual(256);
    });

    it('gets an environment its schema accepts', () => {
      const env: Record<string, string> = {};
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) Object.assign(env, configMap.data);
        if (source.secretRef) Object.assign(env, secret.stringData);
      }
      for (const item of container.env ?? []) env[item.name] = String(item.value);
      const parsed = schemas[app].safeParse(env);
      expect(parsed.error?.issues ?? []).toEqual([]);
      if (parsed.success && 'HEALTH_PORT' in parsed.data && app !== 'api') {
        expect(container.ports[0].containerPort).toBe(parsed.data.HEALTH_PORT);
      }
    });

    it('gives SIGTERM draining more time than the apps take to stop by themselves', () => {
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(25);
    });
  });
});
