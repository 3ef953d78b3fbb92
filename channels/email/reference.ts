import { z } from 'zod';
import type { ConversationReference } from '../types.js';
import { replyReferences } from './compose.js';

/**
 * Where an email conversation lives: the reporter's address, the subject it started with, the thread root and
 * the last mail we answer (In-Reply-To) with the References chain before it. Refreshed on every inbound mail.
 */
export const emailReferenceSchema = z.object({
  /** The reporter (the conversation's owner); replies go here even if someone else wrote into the thread. */
  to: z.string(),
  /** Subject of the first mail, as written (prefixes are normalised when sending). */
  subject: z.string(),
  /** `normaliseSubject(subject)`: what same-sender/same-subject threading compares. */
  subjectKey: z.string(),
  /** Message-ID (with brackets) the thread key is made of. */
  rootMessageId: z.string(),
  /** Message-ID of the newest inbound mail: our next mail's In-Reply-To. */
  lastMessageId: z.string(),
  /** References of `lastMessageId`, oldest first (the sender appends `lastMessageId`). */
  references: z.array(z.string()),
});
export type EmailReference = z.infer<typeof emailReferenceSchema>;

export const parseEmailReference = (reference: ConversationReference): EmailReference => emailReferenceSchema.parse(reference);

/**
 * What same-sender/same-subject threading finds a conversation by (`InboundMessage.matchKey`): the reporter's
 * address and the normalised subject of the first mail.
 */
export const emailMatchKey = (sender: string, subjectKey: string): string => `${sender}\n${subjectKey}`;

/** `email:<root@host>`. */
export function encodeEmailThreadKey(reference: Pick<EmailReference, 'rootMessageId'>): string {
  const id = reference.rootMessageId;
  if (!/^<[^<>\s]+>$/.test(id)) throw new Error(`not a Message-ID: ${id}`);
  return `email:${id}`;
}

export function decodeEmailThreadKey(threadKey: string): Pick<EmailReference, 'rootMessageId'> {
  const m = /^email:(<[^<>\s]+>)$/.exec(threadKey);
  if (!m?.[1]) throw new Error(`not an email thread key: ${threadKey}`);
  return { rootMessageId: m[1] };
}

/** The reference after a mail arrived in an existing conversation: same owner and root, the chain extended. */
export function advanceReference(previous: EmailReference, mail: { messageId: string; references: string[]; inReplyTo?: string }): EmailReference {
  // The mail's own References know our outbound ids too; merge both chains, oldest first, capped.
  const chain = replyReferences([...previous.references, previous.lastMessageId, ...mail.references], mail.inReplyTo);
  return { ...previous, lastMessageId: mail.messageId, references: chain.filter((id) => id !== mail.messageId) };
}

/** Durable per-channel state keys (host.state). */
export const stateKeys = {
  checkpoint: (user: string, mailbox: string) => `imap-checkpoint:${user}:${mailbox}`,
  /** The lease of the instance that reads the mailbox (see ../lease-runner.ts). */
  reader: (user: string, mailbox: string) => `imap-reader:${user}:${mailbox}`,
};

