import { connect, type NatsConnection } from '@nats-io/transport-node';

export type NatsConnectOptions = {
  servers: string;
  /** Shows up in `nats server report connections`; use the app name. */
  name: string;
  log?: (message: string) => void;
};

/**
 * Connects, waiting for the server if it is not up yet (start-up order must not matter),
 * and reconnects forever afterwards. `noAsyncTraces` because nats.js otherwise spends ~40%
 * of its publish time building async stack traces (measured, see DESIGN.md).
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const servers = options.servers.split(',').map((server) => server.trim());
  const nc = await connect({
    servers,
    name: options.name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        options.log?.(`nats ${status.type} (${'server' in status ? status.server : ''})`);
      }
    }
  })().catch(() => undefined);
  return nc;
}
