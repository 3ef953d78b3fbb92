import type { ChannelAdapter, OperatorAlert } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import type { Logger } from '../logger.js';
import { createOutboxWriter } from '../outbox/writer.js';

/**
 * Alerts for operators (a channel that needs a person to act) go the way reporter notices fall back
 * (outbox/fallback.ts): a conversation the target channel starts (`startConversation`, e.g. a new email thread),
 * queued in the outbox so it is retried and visible like any other message. The idempotency key is the alert's
 * key per target, so a repeated alert (another instance, a restart) queues nothing. An alert without targets
 * goes to every running channel's default operators' place (Slack's triage channel), so a channel that was not
 * told whom to alert still reaches the service desk.
 */
export function createOperatorAlerts(deps: {
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  channels: ReadonlyMap<string, ChannelAdapter>;
  logger: Logger;
  kick: () => void;
}): (alert: OperatorAlert) => Promise<string[]> {
  return async (alert) => {
    const queued: string[] = [];
    const targets = alert.to.length ? alert.to : defaultTargets(deps.channels);
    if (!targets.length) deps.logger.warn({ key: alert.key }, 'operator alert has no targets and no running channel offers a default (e.g. a Slack triage channel): nobody is alerted beyond this log');
    for (const target of targets) {
      const [name, ...rest] = target.split(':');
      const address = rest.join(':');
      const adapter = name ? deps.channels.get(name) : undefined;
      if (!adapter?.startConversation || !address) {
        deps.logger.warn({ target }, 'operator alert target skipped: no running channel by that name that can start a conversation');
        continue;
      }
      const idempotencyKey = `operator-alert:${alert.key}:${target}`;
      const done = await deps.transaction(async (tx) => {
        const existing = await tx.outboxMessage.findUnique({ where: { idempotencyKey }, select: { id: true } });
        if (existing) return false;
        const { threadKey, reference } = adapter.startConversation!(address, { incidentNumber: '', title: alert.title });
        await createOutboxWriter(tx).post({ channel: adapter.name, threadKey, reference }, { text: alert.text, author: { kind: 'system' } }, { idempotencyKey });
        return true;
      });
      if (done) queued.push(target);
    }
    if (queued.length) deps.kick();
    return queued;
  };
}

/** `channel:address` of every running channel that names a default place for operator alerts. */
function defaultTargets(channels: ReadonlyMap<string, ChannelAdapter>): string[] {
  const targets: string[] = [];
  for (const [name, adapter] of channels) {
    const address = adapter.operatorAlertAddress?.();
    if (address && adapter.startConversation) targets.push(`${name}:${address}`);
  }
  return targets;
}
