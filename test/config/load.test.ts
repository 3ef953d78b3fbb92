import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNEL_SETTING_KEYS } from '../../src/channel-registry.js';
import { configKeys, loadConfig } from '../../src/config/load.js';

describe('configuration', () => {
  it('defaults to the embedded database on port 3000', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.FRONTLINE_DATA_DIR).toBe('./data');
    expect(c.WEBCHAT_MAX_ATTACHMENT_BYTES).toBe(10 * 1024 * 1024);
  });

  it('names the variable and the fix for an invalid value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: /);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => loadConfig({ WEBCHAT_MAX_ATTACHMENT_BYTES: 'huge' })).toThrow(/WEBCHAT_MAX_ATTACHMENT_BYTES: use a size such as/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(/FRONTLINE_SECRET: required with DATABASE_URL/);
  });

  it('refuses an unknown setting with one of our prefixes and suggests the likely name', () => {
    expect(() => loadConfig({ WEBCHAT_MAX_ATACHMENT_BYTES: '1mb' })).toThrow(/WEBCHAT_MAX_ATACHMENT_BYTES: unknown setting \(did you mean WEBCHAT_MAX_ATTACHMENT_BYTES\?\)/);
    expect(() => loadConfig({ SOME_OTHER_TOOL_VAR: 'x', PATH: '/bin' })).not.toThrow();
    expect(() => loadConfig({ SLACK_BOT_TOKNE: 'xoxb-1' })).toThrow(/SLACK_BOT_TOKNE: unknown setting \(did you mean SLACK_BOT_TOKEN\?\)/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).not.toThrow();
  });

  it('names the new setting when an upgrade still sets a renamed one', () => {
    expect(() => loadConfig({ SLA_SWEEP_ENABLED: 'true' })).toThrow(/SLA_SWEEP_ENABLED: renamed to SLA_TIMERS_ENABLED \(the SLA timers now run on pg-boss\)/);
    expect(() => loadConfig({ SLA_SWEEP_INTERVAL_MS: '30000' })).toThrow(/SLA_SWEEP_INTERVAL_MS: renamed to SLA_TIMERS_POLL_SECONDS/);
  });

  it('.env.example documents every setting with a comment', () => {
    const example = readFileSync(path.resolve(import.meta.dirname, '../../.env.example'), 'utf8');
    const lines = example.split('\n');
    for (const key of [...configKeys(), ...CHANNEL_SETTING_KEYS]) {
      const i = lines.findIndex((l) => new RegExp(`^#?\\s*${key}=`).test(l));
      expect(i, `${key} missing from .env.example`).toBeGreaterThan(0);
      expect(lines[i - 1]!.startsWith('#') && !/^#\s*[A-Z_]+=/.test(lines[i - 1]!), `${key} needs a comment line above it`).toBe(true);
    }
  });
});
