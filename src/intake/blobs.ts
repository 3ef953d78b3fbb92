import type { ChannelHost } from '../../channels/types.js';
import type { Database } from '../db/database.js';

/** `ChannelHost.blobs` for one channel: bytea rows in `channel_blob`, shared by every instance. */
export function createBlobStore(db: Database, channel: string): ChannelHost['blobs'] {
  return {
    async get(key) {
      const { rows } = await db.pool.query<{ data: Buffer }>('SELECT data FROM channel_blob WHERE channel = $1 AND key = $2', [channel, key]);
      return rows[0]?.data;
    },
    async set(key, data) {
      await db.pool.query(
        `INSERT INTO channel_blob (channel, key, data, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (channel, key) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`,
        [channel, key, data],
      );
    },
    async delete(key) {
      await db.pool.query('DELETE FROM channel_blob WHERE channel = $1 AND key = $2', [channel, key]);
    },
  };
}
