/** One Server-Sent Events message as a browser's EventSource would see it. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The body, when the answer was not a stream (a problem). */
  body?: string;
  messages: SseMessage[];
  /** Comment lines received (heartbeats). */
  comments: number;
  /** Resolves when the server ends the stream (or the connection drops). */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Waits until `condition` holds for what was received; rejects after `timeoutMs` saying what it waited for. */
  until(condition: (c: SseClient) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

/**
 * A minimal EventSource for tests: a real HTTP request (Node's fetch) whose body is read as it arrives and
 * parsed into messages (`id:`, `event:`, `data:` fields; `:` comments; a blank line ends a message).
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const waiters = new Set<() => void>();
  let ended = false;
  const client: SseClient = {
    status: res.status,
    headers: res.headers,
    messages: [],
    comments: 0,
    closed: Promise.resolve(),
    isClosed: () => ended,
    until(condition, what, timeoutMs = 20_000) {
      if (condition(client)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (condition(client)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(client.messages.map((m) => m.id ?? m.event))}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () => controller.abort(),
  };
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  if (res.status !== 200 || !res.body) {
    client.body = await res.text();
    ended = true;
    return client;
  }
  client.closed = (async () => {
    let buffer = '';
    try {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          parseBlock(buffer.slice(0, end), client);
          buffer = buffer.slice(end + 2);
        }
        notify();
      }
    } catch {
      // Aborted by us, or dropped by the server: closed either way.
    } finally {
      ended = true;
      notify();
    }
  })();
  return client;
}

function parseBlock(block: string, client: SseClient): void {
  const message: SseMessage = { event: 'message', data: '' };
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      client.comments++;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'id') message.id = value;
    else if (name === 'event') message.event = value;
    else if (name === 'data') message.data = message.data ? `${message.data}\n${value}` : value;
    else continue;
    fields++;
  }
  if (fields > 0 && (message.data !== '' || message.event !== 'message')) client.messages.push(message);
}
