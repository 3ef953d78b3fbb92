import { describe, expect, it } from 'vitest';
import { parseSubscriptionCommand } from '../../src/subscriptions/commands.js';
import { signLink, verifyLink } from '../../src/subscriptions/tokens.js';

const SECRET = 'x'.repeat(40);

describe('signed subscription links', () => {
  it('a confirm link verifies once signed, and only for its action', () => {
    const link = signLink(SECRET, 'sub-1', 'confirm', 3600);
    expect(verifyLink(SECRET, link, 'confirm')).toEqual({ ok: true, subscriptionId: 'sub-1' });
    expect(verifyLink(SECRET, link, 'unsubscribe')).toEqual({ ok: false, reason: 'link is for another action' });
    expect(verifyLink('y'.repeat(40), link, 'confirm')).toEqual({ ok: false, reason: 'bad signature' });
  });
  it('refuses tampered, malformed and expired links', () => {
    const link = signLink(SECRET, 'sub-1', 'confirm', 60, 1_000_000);
    const [body, mac] = link.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 'sub-2', a: 'confirm' })).toString('base64url');
    expect(verifyLink(SECRET, `${forged}.${mac}`, 'confirm').ok).toBe(false);
    expect(verifyLink(SECRET, `${body}`, 'confirm')).toEqual({ ok: false, reason: 'malformed link' });
    expect(verifyLink(SECRET, `${body}.zz`, 'confirm')).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifyLink(SECRET, link, 'confirm', 1_000_000 + 61_000)).toEqual({ ok: false, reason: 'link expired' });
    expect(verifyLink(SECRET, link, 'confirm', 1_000_000 + 59_000).ok).toBe(true);
  });
  it('unsubscribe links do not expire', () => {
    const link = signLink(SECRET, 'sub-9', 'unsubscribe');
    expect(verifyLink(SECRET, link, 'unsubscribe', Date.now() + 10 * 365 * 86_400_000)).toEqual({ ok: true, subscriptionId: 'sub-9' });
  });
});

describe('subscribe commands in chat', () => {
  it.each([
    ['subscribe email', { op: 'subscribe', service: 'email' }],
    ['Subscribe to VPN', { op: 'subscribe', service: 'VPN' }],
    ['!subscribe Microsoft Teams', { op: 'subscribe', service: 'Microsoft Teams' }],
    ['prenumerera på e-post', { op: 'subscribe', service: 'e-post' }],
    ['suscribir a correo', { op: 'subscribe', service: 'correo' }],
    ['subscrever email', { op: 'subscribe', service: 'email' }],
    ['unsubscribe', { op: 'unsubscribe' }],
    ['unsubscribe from vpn', { op: 'unsubscribe', service: 'vpn' }],
    ['avprenumerera', { op: 'unsubscribe' }],
    ['darme de baja', { op: 'unsubscribe' }],
  ])('%s', (text, expected) => {
    expect(parseSubscriptionCommand(text)).toEqual(expected);
  });
  it.each(['subscribe', 'I cannot subscribe to the newsletter, the page errors', 'my email is down', '', 'subscribers cannot log in'])('not a command: %s', (text) => {
    expect(parseSubscriptionCommand(text)).toBeUndefined();
  });
});
