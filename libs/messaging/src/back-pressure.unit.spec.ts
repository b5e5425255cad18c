import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { isBackPressure } from './event-consumer';

describe('isBackPressure', () => {
  const api = (err_code: number, description: string) =>
    new JetStreamApiError({ code: 503, err_code, description });

  it('a log at its limits, out of storage, or not answering is back-pressure', () => {
    expect(isBackPressure(api(10077, 'maximum messages exceeded'))).toBe(true);
    expect(isBackPressure(api(10077, 'maximum bytes exceeded'))).toBe(true);
    expect(isBackPressure(api(10077, 'maximum messages per subject exceeded'))).toBe(true);
    expect(isBackPressure(api(10047, 'insufficient storage resources available'))).toBe(true);
    expect(isBackPressure(new errors.TimeoutError())).toBe(true);
  });

  it('anything else is an ordinary failure (retried with a budget, then dead-lettered)', () => {
    expect(isBackPressure(api(10060, 'expected stream does not match'))).toBe(false);
    expect(isBackPressure(api(10077, 'some other store failure'))).toBe(false);
    expect(isBackPressure(new errors.InvalidArgumentError('payload size exceeded'))).toBe(false);
    // An HTTP call's AbortSignal.timeout() is not the log refusing anything.
    expect(isBackPressure(new DOMException('The operation timed out', 'TimeoutError'))).toBe(false);
    expect(isBackPressure(new Error('boom'))).toBe(false);
    expect(isBackPressure(undefined)).toBe(false);
  });
});
