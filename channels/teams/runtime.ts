import type { Logger } from 'pino';
import type { ChannelHost } from '../types.js';
import type { ConnectorTokens } from './auth.js';
import type { TeamsConnector } from './connector.js';
import type { TeamsSettings } from './settings.js';

/** What every Teams handler shares once the adapter has started. */
export interface TeamsRuntime {
  host: ChannelHost;
  connector: TeamsConnector;
  tokens: ConnectorTokens;
  settings: TeamsSettings;
  logger: Logger;
  publicUrl: string | undefined;
}
