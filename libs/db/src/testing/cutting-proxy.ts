import { createServer, Socket, type AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can lose one acknowledgement: armed
 * with a piece of SQL, it lets the next statement containing it run (and, in
 * autocommit, commit), swallows the server's answer up to ReadyForQuery, and
 * then cuts that connection — the client sees the connection drop without
 * knowing the statement committed. Everything else passes through untouched.
 */
export interface CuttingProxy {
  /** `url` with the proxy's host and port. */
  url: string;
  /** Cuts the next answer to a statement containing `sql`; resolves once it has been cut. */
  loseAckOf(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** ReadyForQuery: 'Z', length 5, transaction status. The server sends it last, after the commit. */
const endsWithReadyForQuery = (b: Buffer) => b.length >= 6 && b[b.length - 6] === 0x5a && b.readInt32BE(b.length - 5) === 5;

export async function startCuttingProxy(url: string): Promise<CuttingProxy> {
  const target = new URL(url);
  let armed: { sql: string; cut: () => void } | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    let swallowing: (() => void) | undefined;
    upstream.connect(Number(target.port || 5432), target.hostname);
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(armed.sql)) {
        swallowing = armed.cut;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!swallowing) return void client.write(chunk);
      if (!endsWithReadyForQuery(chunk)) return;
      const cut = swallowing;
      swallowing = undefined;
      client.destroy();
      upstream.destroy();
      cut();
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    loseAckOf: (sql) => new Promise<void>((resolve) => (armed = { sql, cut: resolve })),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
