import pg from 'pg';
import { type PrismaClient, createPrismaClient } from './prisma-client';

/**
 * Postgres restarting (or failing over) under an app that uses Prisma's pg adapter: the lost
 * connection must fail the query or transaction it was serving, never the process (an 'error'
 * event nobody listens to is an uncaught exception), and the next query must get a fresh one.
 * Found in the projector (its own pg pool) by the long chaos run; this checks the Prisma apps.
 * An 'error' emitted with no listener during a test fails that test under Jest (it reports
 * "Unhandled error"; checked with a bare pg pool client), so each case lets the events settle
 * before it ends. Prisma's adapter (7.10) listens on the pool and on a transaction's client.
 */
describe('createPrismaClient under lost connections', () => {
  let prisma: PrismaClient;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });

  beforeEach(() => {
    // One pooled connection: a broken one pooled again would fail the recovery query.
    prisma = createPrismaClient(process.env.DATABASE_URL!, 1);
  });

  afterEach(async () => {
    await prisma.$disconnect();
  });

  afterAll(async () => {
    await admin.end();
  });

  const backendPid = async (client: Pick<PrismaClient, '$queryRaw'>) =>
    (await client.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
  const terminate = (pid: number) => admin.query('SELECT pg_terminate_backend($1)', [pid]);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  const recovers = async () =>
    expect(await prisma.$queryRaw<Array<{ one: number }>>`SELECT 1::int AS one`).toEqual([{ one: 1 }]);

  it('an interactive transaction whose connection dies between two queries fails alone', async () => {
    const failed = prisma.$transaction(async (tx) => {
      await terminate(await backendPid(tx));
      await settle();
      await tx.$queryRaw`SELECT 1`;
    });
    await expect(failed).rejects.toThrow();
    await settle();
    await recovers();
  });

  it('a connection that dies while a transaction is running a query fails that transaction', async () => {
    let seen!: (pid: number) => void;
    const pidSeen = new Promise<number>((resolve) => (seen = resolve));
    const failed = prisma.$transaction(async (tx) => {
      seen(await backendPid(tx));
      await tx.$queryRaw`SELECT pg_sleep(5)`;
    });
    const pid = await pidSeen;
    await settle();
    await terminate(pid);
    await expect(failed).rejects.toThrow();
    await settle();
    await recovers();
  });

  it('an idle pooled connection that dies is replaced', async () => {
    const pid = await backendPid(prisma);
    await terminate(pid);
    await settle();
    await recovers();
    expect(await backendPid(prisma)).not.toBe(pid);
  });

  it('a connection that dies during a plain query fails that query', async () => {
    const pid = await backendPid(prisma);
    const failed = prisma.$queryRaw`SELECT pg_sleep(5)`;
    await settle();
    await terminate(pid);
    await expect(failed).rejects.toThrow();
    await settle();
    await recovers();
  });

  it('a batch transaction whose connection dies fails alone', async () => {
    const pid = await backendPid(prisma);
    await terminate(pid);
    await settle();
    // The pool noticed the idle connection die: the batch gets a fresh one and succeeds.
    await expect(
      prisma.$transaction([prisma.$queryRaw`SELECT 1`, prisma.$queryRaw`SELECT 2`]),
    ).resolves.toHaveLength(2);
  });
});
