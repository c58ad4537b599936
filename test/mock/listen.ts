// What every mock server does to start: keep connections alive as real APIs do, listen on 127.0.0.1
// only (never reachable from outside), and hand back its URL.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listenLocal(
  server: Server,
  port: number | undefined,
  handle: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<string> {
  server.keepAliveTimeout = 30_000;
  server.on('request', handle);
  await new Promise<void>((resolve) => server.listen(port ?? 0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
