import { describe, expect, it } from 'vitest';
import type { ChannelAdapter, ConversationReference } from '../../channels/types.js';

/**
 * The contract every channel adapter honours, run by each adapter's own test file (in the manner of
 * vercel/chat's thread-id contract): naming, capabilities, thread-key round trips, health.
 */
export function channelContract<R extends ConversationReference>(
  label: string,
  make: () => ChannelAdapter<R>,
  samples: { references: R[]; foreignKeys?: string[] },
): void {
  describe(`channel contract: ${label}`, () => {
    const adapter = make();

    it('has a lowercase name that prefixes its thread keys', () => {
      expect(adapter.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const ref of samples.references) expect(adapter.encodeThreadKey(ref).startsWith(`${adapter.name}:`)).toBe(true);
    });

    it('declares sane capabilities', () => {
      const c = adapter.capabilities;
      expect(c.maxTextLength).toBeGreaterThan(100);
      expect(['plain', 'markdown', 'slack-mrkdwn', 'html']).toContain(c.markup);
      for (const flag of [c.buttons, c.threads, c.edit, c.attachments]) expect(typeof flag).toBe('boolean');
      if (c.edit) expect(typeof adapter.update).toBe('function');
    });

    it('round-trips thread keys: decode(encode(r)) identifies the same thread', () => {
      for (const ref of samples.references) {
        const key = adapter.encodeThreadKey(ref);
        expect(adapter.encodeThreadKey({ ...ref, ...adapter.decodeThreadKey(key) } as R)).toBe(key);
        expect(adapter.decodeThreadKey(key)).toEqual(adapter.decodeThreadKey(adapter.encodeThreadKey(ref)));
      }
    });

    it('refuses thread keys of other channels and malformed ones', () => {
      for (const key of ['', 'nochannel', 'other:abc', ...(samples.foreignKeys ?? [])]) {
        expect(() => adapter.decodeThreadKey(key), key).toThrow();
      }
    });

    it('reports health without throwing', async () => {
      const health = await adapter.health();
      expect(typeof health.ok).toBe('boolean');
    });
  });
}
