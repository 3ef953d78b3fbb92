/** Shapes produced by the email vendor layer; the adapter maps them onto the channel port. */

export interface EmailAttachment {
  filename: string;
  contentType: string;
  size: number;
  /** `Content-ID` without angle brackets, for inline images referenced as `cid:`. */
  contentId?: string;
  /** Shown inline in the body (inline disposition or referenced by the HTML) rather than offered as a file. */
  inline: boolean;
  content: Buffer;
}

export interface BounceInfo {
  /** Addresses the report says could not be reached (lower-cased, deduplicated). */
  recipients: string[];
  /** RFC 3463 enhanced status of the first failed recipient, e.g. `5.1.1`. */
  status?: string;
  /** The remote server's explanation (`Diagnostic-Code`), e.g. `550 5.1.1 <bob@…>: User unknown`. */
  diagnostic?: string;
  /** Message-ID (with angle brackets) of the message that bounced, when the report carries it. */
  originalMessageId?: string;
}

export type AutoReplyReason =
  | 'auto-submitted'
  | 'x-autoreply'
  | 'x-autorespond'
  | 'auto-response-suppress'
  | 'precedence'
  | 'mailing-list'
  | 'feedback-report'
  | 'out-of-office-subject'
  | 'out-of-office-body';

export interface ParsedEmail {
  /** Sender address, lower-cased; empty string when the mail has no usable From. */
  from: string;
  fromName?: string;
  to: string[];
  cc: string[];
  subject: string;
  /** With angle brackets, e.g. `<abc@host>`; undefined when the mail has none. */
  messageId?: string;
  inReplyTo?: string;
  /** Oldest first, each with angle brackets. */
  references: string[];
  date?: Date;
  /** Full plain-text body (from text/plain, or converted from HTML when there is none). */
  text: string;
  html?: string;
  /** What the sender wrote in this mail: quoted history and signatures removed. */
  visibleText: string;
  isAutoReply: boolean;
  autoReplyReason?: AutoReplyReason;
  isBounce: boolean;
  bounce?: BounceInfo;
  isMailingList: boolean;
  attachments: EmailAttachment[];
}
