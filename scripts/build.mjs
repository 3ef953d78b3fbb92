// Compiles the server and CLI (src + channels) into dist/ with esbuild: one ESM bundle per entry point plus
// lazily loaded chunks (each optional channel's adapter is a dynamic import, hence its own chunk). Dependencies
// stay in node_modules (packages: external): the bundle holds only our code, and a channel's SDK loads when
// its chunk does. Runs at install (postinstall) and from bin/frontline.js when a source is newer than dist.
//   node scripts/build.mjs           build
//   node scripts/build.mjs --if-stale   build only when a source is newer than the last build
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale, newestSource } from './build-freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Entry points: what `node bin/frontline.js` runs. Everything they import is found by esbuild itself. */
const ENTRIES = { cli: 'src/cli/main.ts' };
export const DIST = path.join(root, 'dist');

/**
 * Sources find files beside them (dialogs/, kb/, prisma/migrations, the web chat's public/) through
 * `import.meta.dirname`. Bundled, that would be dist/ for every file: replace it with the source file's own
 * directory, resolved against the bundle's location at run time so the tree can be moved or mounted elsewhere.
 */
const sourceDirname = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.dirname')) return undefined;
      const rel = path.relative(root, path.dirname(args.path)).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.dirname', `__frontlineRoot(${JSON.stringify(rel)})`), loader: 'ts' };
    });
  },
};

export async function build({ quiet = false } = {}) {
  // An install without our sources (the Dockerfile's dependency stage) has nothing to build yet.
  if (!Object.values(ENTRIES).every((entry) => existsSync(path.join(root, entry)))) return false;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) console.warn('frontline build: esbuild is not installed; keeping the existing dist/');
    return false;
  }
  const started = Date.now();
  const newest = await newestSource(root);
  // Built beside dist/ and swapped in, so a process starting meanwhile never sees half a build, and two
  // builds at once (tests starting several CLIs after an edit) cannot mix their files.
  const next = `${DIST}.next-${process.pid}`;
  const old = `${DIST}.old-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir: next,
    bundle: true,
    splitting: true, // dynamic imports become chunks, loaded only when reached
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    sourcemap: 'linked', // with --enable-source-maps (bin/frontline.js), stack traces name the .ts lines
    sourcesContent: false,
    chunkNames: 'chunks/[name]-[hash]',
    entryNames: '[name]',
    metafile: true,
    logLevel: 'warning',
    // `__frontlineRoot` of the project from any output file: entries sit in dist/, chunks in dist/chunks/.
    banner: { js: "import { resolve as __frontlineResolve } from 'node:path';\nconst __frontlineRoot = (rel) => __frontlineResolve(import.meta.dirname, import.meta.dirname.endsWith('chunks') ? '../..' : '..', rel);" },
    plugins: [sourceDirname],
  });
  // What the bundle was built from and when: bin/frontline.js rebuilds when a source is newer.
  await writeFile(path.join(next, 'meta.json'), JSON.stringify(result.metafile));
  await writeFile(path.join(next, 'build.json'), `${JSON.stringify({ builtAt: Date.now(), newestSource: newest, inputs: Object.keys(result.metafile.inputs).length }, null, 2)}\n`);
  await rename(DIST, old).catch((err) => {
    if (err.code !== 'ENOENT') throw err;
  });
  try {
    await rename(next, DIST);
  } catch (err) {
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    await rm(next, { recursive: true, force: true }); // another build got there first: use that one
  }
  await rm(old, { recursive: true, force: true });
  if (!quiet) console.log(`frontline build: ${Object.keys(result.metafile.inputs).length} sources → dist/ in ${Date.now() - started} ms`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const onlyIfStale = process.argv.includes('--if-stale');
  if (!onlyIfStale || (await isStale(root))) await build();
}
