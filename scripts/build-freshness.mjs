// Whether dist/ is older than the sources it is compiled from (shared by bin/frontline.js and scripts/build.mjs;
// kept in scripts/ because the Dockerfile's dependency stage has scripts/ but not bin/).
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Directories compiled into dist/ (entry points and everything they import live there). */
const SOURCE_DIRS = ['src', 'channels'];

/**
 * The newest modification time among the source files and directories (a directory's changes when a file is
 * added or removed), or 0 without sources. About 300 stats: a few milliseconds per start.
 */
export async function newestSource(root) {
  let newest = 0;
  const walk = async (dir) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
      const { mtimeMs } = await stat(dir);
      newest = Math.max(newest, mtimeMs); // read `newest` only after the await: concurrent walks update it too
    } catch {
      return;
    }
    await Promise.all(entries.map(async (e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      if (!/\.(ts|js|mjs|json)$/.test(e.name)) return;
      const { mtimeMs } = await stat(full);
      newest = Math.max(newest, mtimeMs);
    }));
  };
  for (const dir of SOURCE_DIRS) await walk(path.join(root, dir));
  return newest;
}

/** True when there is no build yet, or a source changed after the last one. */
export async function isStale(root) {
  const newest = await newestSource(root);
  if (newest === 0) return false; // no sources to build from (an image that ships dist/ only)
  try {
    const info = JSON.parse(await readFile(path.join(root, 'dist', 'build.json'), 'utf8'));
    return newest > info.newestSource;
  } catch {
    return true;
  }
}
