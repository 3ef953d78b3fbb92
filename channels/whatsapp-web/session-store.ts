import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChannelHost } from '../types.js';

/**
 * whatsapp-web.js `RemoteAuth`'s store, on our database (`channel_blob`): the zipped browser profile that holds
 * the linked-device keys, so a restart — or another instance taking over the lease — needs no new QR scan.
 * RemoteAuth writes the archive to `<dataDir>/<session>.zip` before `save` and expects `extract` to write it
 * back to the path it gives.
 */
export class DatabaseSessionStore {
  constructor(private readonly blobs: ChannelHost['blobs'], private readonly dataDir: string) {}

  private key(session: string): string {
    return `session:${session}`;
  }

  async sessionExists(options: { session: string }): Promise<boolean> {
    return (await this.blobs.get(this.key(options.session))) !== undefined;
  }

  async save(options: { session: string }): Promise<void> {
    const data = await readFile(path.join(path.resolve(this.dataDir), `${options.session}.zip`));
    await this.blobs.set(this.key(options.session), data);
  }

  async extract(options: { session: string; path: string }): Promise<void> {
    const data = await this.blobs.get(this.key(options.session));
    if (data) await writeFile(options.path, data);
  }

  async delete(options: { session: string }): Promise<void> {
    await this.blobs.delete(this.key(options.session));
  }
}
