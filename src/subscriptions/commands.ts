/**
 * `subscribe <service>` / `unsubscribe [<service>]` typed in any chat channel, in the four languages. Only a
 * message that is nothing but the command counts, so a report that mentions subscribing stays a report.
 */
export type SubscriptionCommand = { op: 'subscribe'; service: string } | { op: 'unsubscribe'; service?: string };

const SUBSCRIBE = ['subscribe', 'prenumerera', 'suscribir', 'suscribirme', 'subscrever', 'assinar'];
const UNSUBSCRIBE = ['unsubscribe', 'avprenumerera', 'avsluta prenumeration', 'cancelar suscripción', 'darme de baja', 'cancelar subscrição', 'cancelar assinatura'];

export function parseSubscriptionCommand(text: string | undefined): SubscriptionCommand | undefined {
  const clean = (text ?? '').trim().replace(/^[!/]/, '').replace(/[.!]+$/, '').trim();
  if (!clean || clean.length > 120) return undefined;
  const lower = clean.toLowerCase();
  for (const word of UNSUBSCRIBE) {
    if (lower === word) return { op: 'unsubscribe' };
    if (lower.startsWith(`${word} `)) return { op: 'unsubscribe', service: clean.slice(word.length).trim().replace(/^(to|from|a|de|från|till)\s+/i, '') };
  }
  for (const word of SUBSCRIBE) {
    if (lower.startsWith(`${word} `)) {
      const service = clean.slice(word.length).trim().replace(/^(to|a|på|till|em|en)\s+/i, '');
      if (service) return { op: 'subscribe', service };
    }
  }
  return undefined;
}
