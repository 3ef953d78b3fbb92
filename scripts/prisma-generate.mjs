// Runs `prisma generate` at install time. Generation never executes the native schema engine, but the CLI
// insists on finding one; offline machines cannot download it, so point it at any existing file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}/node_modules/prisma`)) process.exit(0); // production install without dev tooling
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
const r = spawnSync(process.execPath, [`${root}/node_modules/prisma/build/index.js`, 'generate'], {
  cwd: root, env, stdio: 'inherit',
});
process.exit(r.status ?? 1);
