import { parseAddressAllowList, receiverAddressPolicy } from '@diplowatch/domain';
import { type AlertReceiver, startAlertReceiver } from '../../../../bench/alerts/receiver';
import { ReceiverClient, ReceiverError } from './receiver-client';

describe('ReceiverClient (guarded POST)', () => {
  let receiver: AlertReceiver;
  beforeAll(async () => {
    receiver = await startAlertReceiver();
  });
  afterAll(() => receiver?.close());

  const clients: ReceiverClient[] = [];
  afterAll(() => clients.forEach((made) => made.close()));
  const client = (
    allow = '127.0.0.1',
    extra: Partial<ConstructorParameters<typeof ReceiverClient>[0]> = {},
  ) => {
    const made = new ReceiverClient({
      timeoutMs: 300,
      userAgent: 'test-agent',
      isAllowedAddress: receiverAddressPolicy(parseAddressAllowList(allow)),
      ...extra,
    });
    clients.push(made);
    return made;
  };
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as ReceiverError;
    }
    throw new Error('expected a failure');
  };

  it('POSTs the body with the headers given', async () => {
    const response = await client().post(receiver.url('/hook'), '{"a":1}', {
      'Diplowatch-Alert-Id': 'alrt_1',
    });
    expect(response.status).toBe(204);
    const [request] = receiver.received('/hook');
    expect(request).toMatchObject({ body: '{"a":1}', alertId: 'alrt_1' });
    expect(request!.headers['user-agent']).toBe('test-agent');
  });

  describe('when the receiver is on an address the guard refuses', () => {
    it('refuses loopback without the allow-list, before connecting', async () => {
      const before = receiver.received().length;
      const error = await failure(client('').post(receiver.url('/hook'), '{}', {}));
      expect(error).toBeInstanceOf(ReceiverError);
      expect(error.code).toBe('blocked_address');
      expect(receiver.received()).toHaveLength(before);
    });

    it('refuses a host name that resolves to an internal address (checked after DNS)', async () => {
      const rebinding = client('', { resolve: async () => [{ address: '169.254.169.254', family: 4 }] });
      expect((await failure(rebinding.post('http://metadata.example.org/', '{}', {}))).code).toBe(
        'blocked_address',
      );
    });

    it('connects to the vetted address, whatever DNS would say next', async () => {
      const pinned = client('127.0.0.1', { resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
      const port = new URL(receiver.origin).port;
      await expect(
        pinned.post(`http://receiver.example.org:${port}/pinned`, '{}', {}),
      ).resolves.toMatchObject({ status: 204 });
      expect(receiver.received('/pinned')[0]!.headers.host).toBe(`receiver.example.org:${port}`);
    });
  });

  it('does not follow redirects', async () => {
    receiver.set('/moved', { status: 302, headers: { location: 'http://169.254.169.254/' } });
    const error = await failure(client().post(receiver.url('/moved'), '{}', {}));
    expect(error).toMatchObject({ code: 'redirect', status: 302 });
  });

  it('reports a receiver error with the status, the start of the answer and Retry-After', async () => {
    receiver.set('/busy', { status: 429, body: 'slow down', headers: { 'retry-after': '7' } });
    const error = await failure(client().post(receiver.url('/busy'), '{}', {}));
    expect(error).toMatchObject({
      code: 'http_status',
      status: 429,
      retryAfterSeconds: 7,
      message: 'HTTP 429: slow down',
    });
  });

  it('gives up at the deadline when the receiver does not answer', async () => {
    receiver.set('/hang', () => undefined);
    const error = await failure(client().post(receiver.url('/hang'), '{}', {}));
    expect(error).toMatchObject({ code: 'timeout', message: 'no answer within 300 ms' });
  });

  it('refuses URLs that are not http(s)', async () => {
    expect((await failure(client().post('file:///etc/passwd', '{}', {}))).code).toBe('bad_url');
  });
});
