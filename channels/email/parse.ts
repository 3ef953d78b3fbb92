import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { detectAutoReply } from './auto-reply.js';
import { extractBounceInfo, isBounce, reportTypeOf } from './bounce.js';
import { RawHeaders, messageIdsIn } from './headers.js';
import { htmlReplyToText, htmlToPlainText } from './html-text.js';
import { extractVisibleText } from './reply-text.js';
import type { EmailAttachment, ParsedEmail } from './types.js';

/** A mail that could not be parsed; `cause` holds the parser's error. */
export class EmailParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmailParseError';
  }
}

export interface ParseOptions {
  /** Give up after this long (mailparser is stream based; a broken part must not stall the intake). */
  timeoutMs?: number;
  /** Refuse larger messages outright. */
  maxBytes?: number;
}

const DEFAULTS = { timeoutMs: 15_000, maxBytes: 50 * 1024 * 1024 };

function addresses(field: AddressObject | AddressObject[] | undefined): { address: string; name: string }[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const out: { address: string; name: string }[] = [];
  const visit = (list: { address?: string; name: string; group?: unknown[] }[]): void => {
    for (const entry of list) {
      if (entry.address) out.push({ address: entry.address.toLowerCase(), name: entry.name });
      if (Array.isArray(entry.group)) visit(entry.group as typeof list);
    }
  };
  for (const object of objects) visit(object.value);
  return out;
}

function toAttachment(attachment: Attachment, index: number): EmailAttachment {
  const contentId = attachment.contentId?.replace(/^<|>$/g, '');
  const result: EmailAttachment = {
    filename: attachment.filename ?? `attachment-${index + 1}`,
    contentType: attachment.contentType,
    size: attachment.size ?? attachment.content.length,
    inline: attachment.contentDisposition === 'inline' || attachment.related === true,
    content: attachment.content,
  };
  if (contentId) result.contentId = contentId;
  return result;
}

/** Content types of every MIME part, read from the raw source (cheap, and sees into nested messages too). */
function partTypes(rawText: string): string[] {
  return [...rawText.matchAll(/^Content-Type:[ \t]*([\w.+-]+\/[\w.+-]+)/gim)].map((m) => (m[1] ?? '').toLowerCase());
}

function visibleTextOf(mail: ParsedMail): string {
  const fromText = mail.text ? extractVisibleText(mail.text) : '';
  // Some clients send a stub text part ("view this mail in HTML"); the HTML then carries the real reply.
  if (fromText !== '' || !mail.html) return fromText;
  return extractVisibleText(htmlReplyToText(mail.html));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EmailParseError(`parsing took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function build(mail: ParsedMail, raw: Buffer): ParsedEmail {
  const headers = new RawHeaders(mail.headerLines);
  const rawText = raw.toString('latin1');
  const [sender] = addresses(mail.from);
  const subject = mail.subject ?? '';
  const text = mail.text || (mail.html ? htmlToPlainText(mail.html) : '');
  const visibleText = visibleTextOf(mail);
  const reportType = reportTypeOf(rawText);
  const messageId = messageIdsIn(mail.messageId)[0];
  const from = sender?.address ?? '';

  const bounceInput = {
    headers,
    from,
    ...(sender?.name ? { fromName: sender.name } : {}),
    subject,
    ...(reportType ? { reportType } : {}),
    partTypes: partTypes(rawText),
    rawText,
    text,
  };
  const bounced = isBounce(bounceInput);
  const auto = detectAutoReply({ headers, subject, visibleText, text, ...(reportType ? { reportType } : {}) });

  const parsed: ParsedEmail = {
    from,
    to: addresses(mail.to).map((a) => a.address),
    cc: addresses(mail.cc).map((a) => a.address),
    subject,
    references: messageIdsIn(headers.all('references')),
    text,
    visibleText,
    isAutoReply: auto.isAutoReply,
    isBounce: bounced,
    isMailingList: auto.isMailingList,
    attachments: mail.attachments.map(toAttachment),
  };
  if (sender?.name) parsed.fromName = sender.name;
  if (messageId) parsed.messageId = messageId;
  const inReplyTo = messageIdsIn(headers.all('in-reply-to'))[0];
  if (inReplyTo) parsed.inReplyTo = inReplyTo;
  if (mail.date && !Number.isNaN(mail.date.getTime())) parsed.date = mail.date;
  if (mail.html) parsed.html = mail.html;
  if (auto.reason) parsed.autoReplyReason = auto.reason;
  if (bounced) parsed.bounce = extractBounceInfo(bounceInput, messageId);
  return parsed;
}

/** Parses one RFC 5322 message. Rejects with {@link EmailParseError}; never throws anything else. */
export async function parseEmail(raw: Buffer, options: ParseOptions = {}): Promise<ParsedEmail> {
  const { timeoutMs, maxBytes } = { ...DEFAULTS, ...options };
  if (raw.length === 0) throw new EmailParseError('empty message');
  if (raw.length > maxBytes) throw new EmailParseError(`message is ${raw.length} bytes, limit ${maxBytes}`);
  let mail: ParsedMail;
  try {
    mail = await withTimeout(
      simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true }),
      timeoutMs,
    );
  } catch (error) {
    if (error instanceof EmailParseError) throw error;
    throw new EmailParseError(`unparseable message: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  try {
    return build(mail, raw);
  } catch (error) {
    throw new EmailParseError(`could not interpret message: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}
