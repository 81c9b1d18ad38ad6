import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CoalescingWriter, FLUSH_TURN_MS, type WritableSink } from './coalescing-writer';

/** A real loopback connection: `server` is the side the writer writes to, `client` the viewer. */
async function connection(): Promise<{ server: Socket; client: Socket; listener: Server }> {
  const listener = createServer();
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const client = connect((listener.address() as { port: number }).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  return { server: await accepted, client, listener };
}

const until = async (what: string, cond: () => boolean, ms = 30_000) => {
  for (const deadline = Date.now() + ms; !cond();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const message = (i: number) => `id: ${i}\ndata: ${'x'.repeat(200)}\n\n`;

describe('the coalescing writer', () => {
  const open: { server: Socket; client: Socket; listener: Server }[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) {
      c.client.destroy();
      c.server.destroy();
      c.listener.close();
    }
  });

  it('writes what one turn of the event loop owes a viewer in one write', async () => {
    const c = await connection();
    open.push(c);
    let received = '';
    c.client.on('data', (d: Buffer) => (received += d.toString()));
    const writer = new CoalescingWriter(c.server, 1024 * 1024, () => {
      throw new Error('not behind');
    });
    for (let i = 0; i < 50; i++) writer.write(i % 2 ? message(i) : Buffer.from(message(i)));
    expect(writer.writes).toBe(0);
    const expected = Array.from({ length: 50 }, (_, i) => message(i)).join('');
    await until('the 50 messages', () => received.length === expected.length);
    expect(received).toBe(expected);
    expect(writer.chunks).toBe(50);
    expect(writer.writes).toBe(1);
  });

  it('holds what a viewer that is behind is owed, and sends it all, in order and once, in a few writes when it reads again', async () => {
    const c = await connection();
    open.push(c);
    c.client.pause();
    let overflowed = false;
    const writer = new CoalescingWriter(c.server, 64 * 1024 * 1024, () => (overflowed = true));
    const n = 20_000;
    // Far more than the loopback buffers take: one message a turn, as a busy publisher would.
    for (let i = 0; i < n; i++) {
      writer.write(message(i));
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await until('the viewer to be behind', () => c.server.writableLength > 0);
    const chunks: Buffer[] = [];
    c.client.on('data', (d: Buffer) => chunks.push(d));
    c.client.resume();
    const expected = Array.from({ length: n }, (_, i) => message(i)).join('');
    await until('every message', () => chunks.reduce((a, b) => a + b.length, 0) >= expected.length);
    expect(Buffer.concat(chunks).toString()).toBe(expected);
    expect(overflowed).toBe(false);
    expect(writer.chunks).toBe(n);
    // One write per turn while it kept up, then one per catch-up: far fewer than the messages.
    expect(writer.writes).toBeLessThan(n / 50);
  });

  it('gives up on a viewer that is behind by more than the bound, and writes nothing more', async () => {
    const c = await connection();
    open.push(c);
    c.client.pause();
    let overflows = 0;
    const writer = new CoalescingWriter(c.server, 256 * 1024, () => overflows++);
    for (let i = 0; overflows === 0; i++) {
      if (i > 1_000_000) throw new Error('never overflowed');
      writer.write(message(i));
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    const writes = writer.writes;
    writer.write(message(-1));
    writer.flush();
    expect(writer.writes).toBe(writes);
    expect(overflows).toBe(1);
  });

  it('writes to many viewers over several turns, letting other I/O in between, each viewer once and in order', async () => {
    // Sinks whose write takes a quarter of the turn's budget: 40 of them are ten budgets' worth.
    const busy = (ms: number) => {
      for (const end = performance.now() + ms; performance.now() < end;);
    };
    const viewers = 40;
    const order: number[] = [];
    const received: string[] = Array.from({ length: viewers }, () => '');
    const writers = received.map((_, v) => {
      const sink: WritableSink = {
        writableLength: 0,
        write(chunk) {
          busy(FLUSH_TURN_MS / 4);
          order.push(v);
          received[v] += chunk.toString();
          return true;
        },
      };
      return new CoalescingWriter(sink, 1024 * 1024, () => {
        throw new Error('not behind');
      });
    });
    for (const w of writers) w.write(message(1));
    // Queued after the flush: runs once the first turn's writes stop, which must be well before all 40.
    let writtenWhenOthersRan = -1;
    setImmediate(() => (writtenWhenOthersRan = order.length));
    await until('every viewer written to', () => order.length === viewers);
    expect(writtenWhenOthersRan).toBeGreaterThan(0);
    expect(writtenWhenOthersRan).toBeLessThanOrEqual(4);
    expect(order).toEqual(Array.from({ length: viewers }, (_, v) => v));
    expect(received.every((r) => r === message(1))).toBe(true);
    expect(writers.every((w) => w.writes === 1)).toBe(true);
  });
});
