/**
 * `frontline teams manifest --out frontline-teams.zip`: writes the Teams app package for this installation
 * (bot id = TEAMS_APP_ID, valid domain = PUBLIC_URL's host) to upload in Teams or the Teams admin center.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildPackage } from './manifest.js';

export function registerTeamsCommands(program: Command): void {
  const teams = program.command('teams').description('Microsoft Teams channel tools');
  teams
    .command('manifest')
    .description('write the Teams app package (manifest.json + icons, zipped) from TEAMS_APP_ID and PUBLIC_URL')
    .option('--out <file>', 'zip file to write', 'frontline-teams.zip')
    .option('--package-version <semver>', 'package version (bump it when the package changes)', '1.0.0')
    .option('--app-id <id>', 'Microsoft App ID (default: TEAMS_APP_ID)')
    .option('--public-url <url>', 'public https URL of Frontline (default: PUBLIC_URL)')
    .action(async (opts: { out: string; packageVersion: string; appId?: string; publicUrl?: string }) => {
      const appId = opts.appId ?? process.env.TEAMS_APP_ID;
      const publicUrl = opts.publicUrl ?? process.env.PUBLIC_URL;
      if (!appId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) throw new Error('set TEAMS_APP_ID (or --app-id) to the Azure Bot\'s Microsoft App ID');
      if (!publicUrl || !/^https:\/\//.test(publicUrl)) throw new Error('set PUBLIC_URL (or --public-url) to the https URL Teams reaches Frontline at');
      if (!/^\d+\.\d+\.\d+$/.test(opts.packageVersion)) throw new Error('--package-version must look like 1.0.0');
      await writeFile(opts.out, buildPackage({ appId, publicUrl, appName: process.env.TEAMS_APP_NAME || 'Frontline', version: opts.packageVersion }));
      process.stderr.write(`wrote ${opts.out}: upload it in Teams (Apps → Manage your apps → Upload an app)\n`);
    });
}
