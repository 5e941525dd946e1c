import type pg from 'pg';

/**
 * Runs `work` on one client between BEGIN and COMMIT; any error rolls back and is rethrown. A
 * client whose connection died is destroyed, not returned to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out client emits 'error' when its connection dies (the pool listens only to idle
  // ones): unheard, that would crash the process; the query in flight is rejected anyway.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (!broken) await client.query('ROLLBACK').catch(onError);
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
