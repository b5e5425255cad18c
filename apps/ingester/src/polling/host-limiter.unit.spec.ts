import { HostLimiter } from './host-limiter';

type Gate = { host: string; open: () => void };

function harness(global: number, perHost: number) {
  const limiter = new HostLimiter(global, perHost);
  const started: string[] = [];
  const gates: Gate[] = [];
  const submit = (host: string, label = host) =>
    limiter.run(host, () => {
      started.push(label);
      return new Promise<void>((resolve) => gates.push({ host, open: resolve }));
    });
  const finish = async (label: string) => {
    const index = gates.findIndex((g) => g.host === label);
    gates.splice(index, 1)[0]!.open();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { limiter, started, submit, finish };
}

describe('HostLimiter', () => {
  describe('given one busy host and another host waiting', () => {
    it('never runs more than perHost for a host, and fills global slots with other hosts', async () => {
      const { limiter, started, submit } = harness(3, 2);
      for (let i = 0; i < 5; i++) void submit('a', `a${i}`);
      void submit('b', 'b0');
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toEqual(['a0', 'a1', 'b0']);
      expect(limiter.running).toBe(3);
      expect(limiter.queued).toBe(3);
    });
  });

  describe('when a task finishes', () => {
    it('starts the next waiting task whose host has room, in arrival order', async () => {
      const { started, submit, finish } = harness(2, 1);
      void submit('a', 'a0');
      void submit('a', 'a1');
      void submit('b', 'b0');
      void submit('c', 'c0');
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toEqual(['a0', 'b0']);
      await finish('a');
      expect(started).toEqual(['a0', 'b0', 'a1']);
      await finish('b');
      expect(started).toEqual(['a0', 'b0', 'a1', 'c0']);
    });
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new HostLimiter(1, 1);
    await expect(limiter.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('a', async () => 'ok')).resolves.toBe('ok');
    expect(limiter.running).toBe(0);
  });
});
