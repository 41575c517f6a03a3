/**
 * A TCP proxy in front of the real PostgreSQL that holds its first connection back for a
 * while: a slow network to the database, the way a 3 a.m. run meets it. Preflight's
 * connection check is the first connection, so the runner is late to ask its first question.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface SlowProxy {
  /** The database URL through the proxy. */
  url: string;
  close(): Promise<void>;
}

export async function slowProxy(databaseUrl: string, firstDelayMs: number): Promise<SlowProxy> {
  const upstream = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.pause();
    const delay = connections++ === 0 ? firstDelayMs : 0;
    setTimeout(() => {
      const server = connect(Number(upstream.port || 5432), upstream.hostname, () => {
        client.pipe(server);
        server.pipe(client);
        client.resume();
      });
      sockets.add(server);
      const end = () => {
        client.destroy();
        server.destroy();
      };
      server.on('error', end);
      client.on('error', end);
      server.on('close', end);
      client.on('close', end);
    }, delay);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: url.toString(),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
