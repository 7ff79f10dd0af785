/**
 * The ceiling: a bare node:http server on 127.0.0.1 that answers every GET with a fixed body the
 * size of a Tribune KV read (one KVPair with a 256-byte value) and every write with `true` after
 * reading the body. Run as its own process: node --import tsx bench/lib/bare-server.ts <port>
 */
import { createServer } from 'node:http';

const BARE_GET_BODY = JSON.stringify([
  {
    LockIndex: 0,
    Key: 'bench/key/000',
    Flags: 0,
    Value: Buffer.from('v'.repeat(256)).toString('base64'),
    CreateIndex: 12,
    ModifyIndex: 12,
  },
]);

function serve(port: number): void {
  const getBody = Buffer.from(BARE_GET_BODY);
  const writeBody = Buffer.from('true');
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': '12' });
      res.end(getBody);
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(writeBody);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`bare server listening on 127.0.0.1:${port}\n`);
  });
}

serve(Number(process.argv[2]));
