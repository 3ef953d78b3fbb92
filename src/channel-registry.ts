import type { ChannelAdapter } from '../channels/types.js';
import { SLACK_SETTING_KEYS } from '../channels/slack/settings.js';
import { EMAIL_SETTING_KEYS } from '../channels/email/settings.js';
import { TEAMS_SETTING_KEYS } from '../channels/teams/settings.js';
import { WHATSAPP_SETTING_KEYS } from '../channels/whatsapp/settings.js';
import { WHATSAPP_WEB_SETTING_KEYS } from '../channels/whatsapp-web/settings.js';

/**
 * Optional channels, enabled by their settings. Each adapter validates its own variables; the core only needs
 * their names so a typo such as SLACK_BOT_TOKNE is refused at startup. Vendor SDKs load only when enabled.
 */
export const CHANNEL_SETTING_KEYS: readonly string[] = [...SLACK_SETTING_KEYS, ...EMAIL_SETTING_KEYS, ...TEAMS_SETTING_KEYS, ...WHATSAPP_SETTING_KEYS, ...WHATSAPP_WEB_SETTING_KEYS];

export async function channelsFromEnv(env: Record<string, string | undefined>): Promise<ChannelAdapter[]> {
  const adapters: ChannelAdapter[] = [];
  if (env.SLACK_BOT_TOKEN) {
    const { slackFromEnv } = await import('../channels/slack/adapter.js');
    const slack = slackFromEnv(env);
    if (slack) adapters.push(slack);
  }
  if (env.IMAP_HOST) {
    const { emailFromEnv } = await import('../channels/email/adapter.js');
    const email = emailFromEnv(env);
    if (email) adapters.push(email);
  }
  // TEAMS_ENABLED without an app id: local development against the Bot Framework Emulator, no tokens.
  if (env.TEAMS_APP_ID || /^(true|1|yes)$/i.test(env.TEAMS_ENABLED ?? '')) {
    const { teamsFromEnv } = await import('../channels/teams/adapter.js');
    const teams = teamsFromEnv(env);
    if (teams) adapters.push(teams);
  }
  if (env.WHATSAPP_ACCESS_TOKEN) {
    const { whatsappFromEnv } = await import('../channels/whatsapp/adapter.js');
    const whatsapp = whatsappFromEnv(env);
    if (whatsapp) adapters.push(whatsapp);
  }
  if (/^(true|1|yes)$/i.test(env.WHATSAPP_WEB_ENABLED ?? '')) {
    const { whatsappWebFromEnv } = await import('../channels/whatsapp-web/adapter.js');
    const whatsappWeb = whatsappWebFromEnv(env);
    if (whatsappWeb) adapters.push(whatsappWeb);
  }
  return adapters;
}
