import { zipSync } from 'fflate';
import { png } from './png.js';

/**
 * The Teams app package (manifest v1.17 + two icons, zipped) that an admin uploads to Teams: the bot in
 * personal, team and group-chat scope, and the "Report as incident" message action (handled as
 * `composeExtension/submitAction`, see intake.ts).
 */
export const MANIFEST_VERSION = '1.17';
export const REPORT_COMMAND_ID = 'reportAsIncident';
const ACCENT = '#2F6FDE';

export interface ManifestInput {
  appId: string;
  publicUrl: string;
  appName: string;
  /** The package version; bump it to make Teams pick up a changed package. */
  version: string;
  developerName?: string;
}

export function buildManifest(input: ManifestInput): Record<string, unknown> {
  const url = new URL(input.publicUrl);
  const site = url.origin;
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: input.version,
    id: input.appId,
    developer: { name: input.developerName ?? 'IT Service Desk', websiteUrl: site, privacyUrl: site, termsOfUseUrl: site },
    name: { short: input.appName.slice(0, 30), full: `${input.appName} IT incident intake`.slice(0, 100) },
    description: {
      short: 'Report IT problems and follow your incidents in Teams.',
      full: 'Describe an IT problem in a chat, or choose "Report as incident" on any message. The bot asks what the service desk needs, files the incident and keeps you posted in the same chat.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: ACCENT,
    bots: [{ botId: input.appId, scopes: ['personal', 'team', 'groupChat'], supportsFiles: true, isNotificationOnly: false }],
    composeExtensions: [{
      botId: input.appId,
      commands: [{
        id: REPORT_COMMAND_ID,
        type: 'action',
        title: 'Report as incident',
        description: 'File this message as an IT incident',
        context: ['message'],
        fetchTask: false,
        parameters: [{ name: 'note', title: 'Anything to add?', description: 'Optional: what you were doing, since when', inputType: 'textarea' }],
      }],
    }],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [url.host],
  };
}

/** color.png (192×192, full colour) and outline.png (32×32, white on transparent), as Teams requires. */
export function icons(): { color: Buffer; outline: Buffer } {
  const [r, g, b] = [0x2f, 0x6f, 0xde];
  // A white "!" in a circle: readable at both sizes.
  const mark = (x: number, y: number, size: number) => {
    const u = x / size, v = y / size;
    const inCircle = (u - 0.5) ** 2 + (v - 0.5) ** 2 < 0.16;
    const bar = Math.abs(u - 0.5) < 0.06 && v > 0.25 && v < 0.6;
    const dot = (u - 0.5) ** 2 + (v - 0.7) ** 2 < 0.004;
    return { inCircle, glyph: bar || dot };
  };
  const color = png(192, 192, (x, y) => {
    const m = mark(x, y, 192);
    return m.glyph ? [255, 255, 255, 255] : [r, g, b, 255];
  });
  const outline = png(32, 32, (x, y) => {
    const m = mark(x, y, 32);
    const ring = m.inCircle && !((x / 32 - 0.5) ** 2 + (y / 32 - 0.5) ** 2 < 0.1);
    return ring || m.glyph ? [255, 255, 255, 255] : [255, 255, 255, 0];
  });
  return { color, outline };
}

/** The zip to upload: manifest.json, color.png and outline.png at its root. */
export function buildPackage(input: ManifestInput): Uint8Array {
  const { color, outline } = icons();
  return zipSync({
    'manifest.json': new TextEncoder().encode(JSON.stringify(buildManifest(input), null, 2)),
    'color.png': new Uint8Array(color),
    'outline.png': new Uint8Array(outline),
  });
}
