/**
 * The baseline: a bare Node `http` server that broadcasts what it is given, as the issue asks. GET
 * /stream holds an SSE response open; POST /publish writes the body (an SSE message) to every held
 * response, one `write` per message per socket, then answers. No framework, no database, no hub.
 */
import { createServer, type ServerResponse } from 'node:http';

const streams = new Set<ServerResponse>();

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/stream')) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    res.once('close', () => streams.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url === '/publish') {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const message = Buffer.concat(parts).toString();
      for (const s of streams) s.write(message);
      res.writeHead(200).end();
    });
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 600_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`baseline listening on http://127.0.0.1:${port}`);
});
