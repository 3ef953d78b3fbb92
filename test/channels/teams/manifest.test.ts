import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pngSize } from '../../../channels/teams/png.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const APP_ID = '6b3f2a10-8c4d-4e5f-9a0b-1c2d3e4f5a6b';

/**
 * The constraints of the Teams manifest v1.17 JSON schema (MicrosoftTeams.schema.json) that apply to the
 * fields we write, transcribed because the schema cannot be fetched offline: required members, lengths,
 * enums, GUID/semver/hex formats, https URLs, and domains without a scheme.
 */
const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
const https = z.string().max(2048).regex(/^[Hh][Tt][Tt][Pp][Ss]?:\/\/.+/);
const manifestV117 = z.object({
  $schema: z.literal('https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json'),
  manifestVersion: z.literal('1.17'),
  version: z.string().max(256).regex(/^([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)$/),
  id: guid,
  developer: z.object({ name: z.string().min(1).max(32), websiteUrl: https, privacyUrl: https, termsOfUseUrl: https }).strict(),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().max(100).optional() }).strict(),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }).strict(),
  icons: z.object({ color: z.string().min(1).max(2048), outline: z.string().min(1).max(2048) }).strict(),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  bots: z.array(z.object({
    botId: guid,
    scopes: z.array(z.enum(['team', 'personal', 'groupChat'])).min(1).max(3),
    supportsFiles: z.boolean().optional(),
    isNotificationOnly: z.boolean().optional(),
  }).strict()).max(1),
  composeExtensions: z.array(z.object({
    botId: guid,
    commands: z.array(z.object({
      id: z.string().min(1).max(64),
      type: z.enum(['query', 'action']),
      title: z.string().min(1).max(32),
      description: z.string().max(128).optional(),
      context: z.array(z.enum(['compose', 'commandBox', 'message'])).max(3),
      fetchTask: z.boolean(),
      parameters: z.array(z.object({
        name: z.string().min(1).max(64),
        title: z.string().min(1).max(32),
        description: z.string().max(128).optional(),
        inputType: z.enum(['text', 'textarea', 'number', 'date', 'time', 'toggle', 'choiceset']),
      }).strict()).min(1).max(5),
    }).strict()).max(10),
  }).strict()).max(1),
  permissions: z.array(z.enum(['identity', 'messageTeamMembers'])),
  validDomains: z.array(z.string().max(2048).regex(/^[^/:]+(:\d+)?$/, 'a domain, no scheme or path')).max(16),
}).strict();

describe('frontline teams manifest', () => {
  it('writes a package whose manifest passes the v1.17 schema constraints, with 192×192 and 32×32 PNG icons', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fl-teams-manifest-'));
    try {
      const out = path.join(dir, 'frontline-teams.zip');
      await run(process.execPath, [path.join(REPO_ROOT, 'bin/frontline.js'), 'teams', 'manifest', '--out', out], {
        env: { ...process.env, TEAMS_APP_ID: APP_ID, PUBLIC_URL: 'https://frontline.example.com/', TEAMS_APP_NAME: 'IT Help' },
      });
      const files = unzipSync(new Uint8Array(await readFile(out)));
      expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
      const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
      const checked = manifestV117.safeParse(manifest);
      expect(checked.success ? [] : checked.error.issues).toEqual([]);
      expect(manifest.bots[0].botId).toBe(APP_ID);
      expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
      expect(manifest.composeExtensions[0].commands[0]).toMatchObject({ id: 'reportAsIncident', type: 'action', title: 'Report as incident', context: ['message'], fetchTask: false });
      expect(manifest.validDomains).toEqual(['frontline.example.com']);
      expect(manifest.name.short).toBe('IT Help');
      expect(pngSize(files['color.png']!)).toEqual({ width: 192, height: 192 });
      expect(pngSize(files['outline.png']!)).toEqual({ width: 32, height: 32 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses without an app id or an https PUBLIC_URL', async () => {
    const env = { ...process.env, TEAMS_APP_ID: '', PUBLIC_URL: '' };
    await expect(run(process.execPath, [path.join(REPO_ROOT, 'bin/frontline.js'), 'teams', 'manifest', '--out', path.join(os.tmpdir(), 'x.zip')], { env })).rejects.toMatchObject({ stderr: expect.stringMatching(/TEAMS_APP_ID/) });
  }, 60_000);
});
