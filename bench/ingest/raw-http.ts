import net from 'node:net';

/**
 * One keep-alive HTTP/1.1 connection of the load generator, sending requests that were written out
 * to bytes before timing starts, one at a time, and reading only what it needs of each answer: the
 * status and where the answer ends (content-length, or the end of a chunked body). Node's own client
 * (`http.request`) builds and parses everything per request, and on the two cores the server and
 * PostgreSQL share, its CPU was taken from them (bench/README.md, ingest). This is what wrk and
 * autocannon do; a client that needs more than the status uses `request` in load.ts.
 */
export class RawConnection {
  private socket: net.Socket | null = null;
  private pending: Buffer = Buffer.alloc(0);
  private waiting: { resolve(status: number): void; reject(err: Error): void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends one request (its full bytes) and resolves with the answer's status once the whole answer is read. */
  send(request: Buffer): Promise<number> {
    if (this.waiting) return Promise.reject(new Error('one request at a time on a connection'));
    const socket = this.socket ?? this.connect();
    return new Promise<number>((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.read();
    });
    // Only the current socket's end fails the request in flight (one closed on purpose after an answer is done with).
    const gone = (err?: Error) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(err ?? new Error('the server closed the connection'));
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
    this.socket = socket;
    return socket;
  }

  /** Takes one complete answer off the buffer, if there is one. */
  private read(): void {
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.pending.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total: number;
    if (length) total = end + 4 + Number(length[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.pending.indexOf('\r\n0\r\n\r\n', end + 2);
      if (last < 0) return;
      total = last + 7;
    } else total = end + 4;
    if (this.pending.length < total) return;
    this.pending = this.pending.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    // An answer that closes the connection: the next request opens a new one.
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    w.resolve(status);
  }
}

/** A request's bytes, written once: what `RawConnection.send` writes. */
export function requestBytes(url: URL, method: string, path: string, headers: Record<string, string>, body: string): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${url.host}`, 'connection: keep-alive', `content-length: ${Buffer.byteLength(body)}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
