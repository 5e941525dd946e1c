/**
 * A Postgres for the evaluation and the benchmark, with no server to install: PGlite (Postgres in
 * WebAssembly) with pgvector, in memory or in `dataDir`, served on 127.0.0.1 by pglite-socket and
 * reached like any server, through `pg` over the wire protocol. PGlite is one session: clients
 * should use one connection each (`PgStore.open(url, model, { max: 1 })`).
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startPglite(dataDir?: string): Promise<LocalPostgres> {
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
