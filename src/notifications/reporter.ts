import type { AttachmentRef, Author, TranslateHint } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import type { Translate } from '../dialog/messages.js';
import { formatIncidentNumber } from '../incidents/number.js';
import { enqueueMessage } from '../outbox/enqueue.js';

/** Whether someone else tells the reporter of conversation `conversationId` that the status is now `status`. */
export type StatusAnnouncer = (tx: Tx, conversationId: string, status: string) => Promise<boolean>;

const STATUS_NOTICE = 'notify.status';

/**
 * Tells the reporter about their incident in the conversation it came from, in their language, whatever the
 * channel. Runs inside the transaction that changed the incident, so the notice and the change commit together.
 */
export class ReporterNotifier {
  private readonly announcers: StatusAnnouncer[] = [];

  constructor(private readonly t: Translate) {}

  /**
   * Registers a part that tells the reporter about some status changes itself (the dialog: "I've cancelled
   * INC-…", or the CSAT question after a resolve). The status notice is left out for those, so the reporter
   * gets one message per change.
   */
  announcedBy(announcer: StatusAnnouncer): void {
    this.announcers.push(announcer);
  }

  async notify(
    tx: Tx,
    incident: { id: string; number: number; originConversationId: string | null },
    key: string,
    params: Record<string, unknown>,
    options: { author?: Author; idempotencyKey?: string; attachments?: AttachmentRef[]; translate?: TranslateHint } = {},
  ): Promise<string | undefined> {
    if (!incident.originConversationId) return undefined;
    const conversation = await tx.conversation.findUnique({
      where: { id: incident.originConversationId },
      select: { id: true, channel: true, locale: true, contact: { select: { locale: true } } },
    });
    if (!conversation) return undefined;
    if (key === STATUS_NOTICE && typeof params.status === 'string') {
      for (const announces of this.announcers) if (await announces(tx, conversation.id, params.status)) return undefined;
    }
    const locale = conversation.locale ?? conversation.contact.locale ?? 'en';
    const number = formatIncidentNumber(incident.number);
    // Status values are translated too: "resolved" reads "löst" to a Swedish reporter.
    const status = typeof params.status === 'string' ? this.t(locale, `status.${params.status}`) : undefined;
    const text = this.t(locale, key, { ...params, number, ...(status ? { status } : {}) });
    const notice = key === STATUS_NOTICE ? (params.status === 'resolved' ? 'resolved' : 'status') : key === 'notify.reply' ? 'reply' : undefined;
    return enqueueMessage(
      tx,
      conversation,
      { text, author: options.author ?? { kind: 'bot' }, incidentNumber: number, ...(notice ? { notice } : {}), ...(options.attachments?.length ? { attachments: options.attachments } : {}), ...(options.translate ? { translate: options.translate } : {}) },
      options.idempotencyKey,
    );
  }
}
