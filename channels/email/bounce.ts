import { headerBlock, readHeader, type RawHeaders } from './headers.js';
import type { BounceInfo } from './types.js';

/**
 * Bounce / DSN detection. Standard reports (RFC 3464 multipart/report) are easy; the long tail (qmail, Exchange
 * 2003, Notes, Japanese carriers…) is recognised by the daemon sender, X-Failed-Recipients and subject wording,
 * and recipients are then scraped from the human-readable text.
 */

export interface BounceInput {
  headers: RawHeaders;
  from: string;
  fromName?: string;
  subject: string;
  /** `report-type` of a top-level multipart/report, lower-cased. */
  reportType?: string;
  /** Content types of every MIME part, lower-cased. */
  partTypes: string[];
  /** The raw message decoded as latin1 (byte-preserving), for report fields and the embedded original. */
  rawText: string;
  /** Plain-text body. */
  text: string;
}

const DAEMON_LOCALPART = /^(mailer-daemon|mail-daemon|postmaster|post_master|mailerdaemon|mail\.?delivery\.?(sub)?system|bounces?|nobody-bounce|mdaemon|double-bounce)$/i;
const DAEMON_NAME = /mail delivery (sub)?system|mailer[- ]daemon|post ?master|mail administrator|delivery status notification|mail ?system/i;

const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver(ed|able)',
    'returned mail',
    'return(ed)? to sender',
    'delivery (status notification|failure|failed|report|problem|has failed|notification)',
    'mail delivery (failed|failure|system|subsystem)',
    'failure notice',
    'failed delivery',
    'non[- ]?(remis|delivery|deliverable)',
    'nondeliverable',
    'unzustellbar',
    'nicht zustellbar',
    'could not (be )?deliver',
    'message (not delivered|delivery failed|could not be delivered)',
    'mail system error',
    'warning: could not send',
    'rejected',
    'onbestelbaar',
    'no entregado',
    'não entregue',
    'kunde inte levereras',
    'échec de (la )?(remise|distribution)',
    'notificación de estado',
    'delayed mail',
    'メールエラー', 'エラー通知', '不達', '配信不能', // ja
  ].join('|'),
  'i',
);

// The JSON may arrive escaped inside another JSON string (SNS "Message" field), hence the optional backslashes.
const SES_BOUNCE = /\\?"(?:notificationType|eventType)\\?"\s*:\s*\\?"Bounce\\?"/;

const ADDRESS = String.raw`[A-Za-z0-9._%+'=/!#$&*^{}|~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`;

function unique(list: string[]): string[] {
  return [...new Set(list.map((a) => a.toLowerCase()))];
}

export function isBounce(input: BounceInput): boolean {
  if (input.reportType === 'delivery-status') return true;
  if (input.partTypes.some((t) => t === 'message/delivery-status' || t === 'message/global-delivery-status'))
    return true;
  if (input.headers.has('x-failed-recipients')) return true;
  // Amazon SES forwards bounces as SNS JSON notifications.
  if (SES_BOUNCE.test(input.text)) return true;
  const localPart = input.from.split('@')[0] ?? '';
  const fromDaemon = DAEMON_LOCALPART.test(localPart) || DAEMON_NAME.test(input.fromName ?? '');
  // An empty envelope sender (Return-Path: <>) is how MTAs mark their own notifications (RFC 5321 §4.5.5).
  const nullSender = input.headers.all('return-path').some((v) => /^<\s*>$/.test(v.trim()));
  if (fromDaemon || nullSender) return true;
  return BOUNCE_SUBJECT.test(input.subject);
}

/** The delivery-status fields, wherever they sit in the raw message. */
function dsnRecipients(raw: string): { recipients: string[]; status?: string } {
  const recipients: string[] = [];
  const re = new RegExp(String.raw`^(?:Final|Original)-Recipient:[ \t]*(?:rfc822|utf-8)?[ \t]*;?[ \t]*<?(${ADDRESS})`, 'gim');
  for (const m of raw.matchAll(re)) if (m[1]) recipients.push(m[1]);
  const status = /^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3})/im.exec(raw)?.[1];
  return status ? { recipients, status } : { recipients };
}

/** The remote server's words (`Diagnostic-Code: smtp; 550 5.1.1 …`), unfolded, for the contact's status. */
function diagnosticOf(raw: string): string | undefined {
  const m = /^Diagnostic-Code:[ \t]*(?:[\w-]+[ \t]*;)?[ \t]*((?:.*)(?:\r?\n[ \t]+.*)*)/im.exec(raw);
  const text = m?.[1]?.replace(/\r?\n[ \t]+/g, ' ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 500) : undefined;
}

/** Free-text fallbacks used by qmail, Exim, Postfix transcripts and assorted gateways. */
function textRecipients(text: string, exclude: Set<string>): string[] {
  const found: string[] = [];
  const patterns = [
    new RegExp(String.raw`^\s*<(${ADDRESS})>\s*:`, 'gm'), // qmail, Postfix: "<user@host>: reason"
    new RegExp(String.raw`^\s{2,}(${ADDRESS})\s*$`, 'gm'), // Exim: indented address on its own line
    new RegExp(String.raw`(?:recipient|address|destinatario|empfänger|destinataire|mottagare)[^\n]{0,40}?<?(${ADDRESS})>?`, 'gi'),
    new RegExp(String.raw`<?(${ADDRESS})>?[^\n]{0,20}(?:user unknown|unknown user|does not exist|no such user|mailbox (?:unavailable|full|not found)|recipient rejected|not found)`, 'gi'),
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) if (m[1] && !exclude.has(m[1].toLowerCase())) found.push(m[1]);
    if (found.length > 0) break;
  }
  return found;
}

/** Message-ID of the returned original: the first Message-ID header inside the body of the report. */
function originalMessageId(raw: string, ownId: string | undefined): string | undefined {
  const body = raw.slice(headerBlock(raw).length);
  const re = /^(?:Message-ID|X-Original-Message-ID)[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/gim;
  for (const m of body.matchAll(re)) if (m[1] && m[1] !== ownId) return m[1];
  return undefined;
}

export function extractBounceInfo(input: BounceInput, ownMessageId: string | undefined): BounceInfo {
  const dsn = dsnRecipients(input.rawText);
  const exclude = new Set([input.from.toLowerCase()]);
  let recipients = dsn.recipients;
  if (recipients.length === 0) {
    recipients = input.headers
      .all('x-failed-recipients')
      .flatMap((v) => v.split(/[,\s]+/))
      .filter((a) => a.includes('@'));
  }
  if (recipients.length === 0 && SES_BOUNCE.test(input.text)) {
    recipients = [...input.text.matchAll(new RegExp(String.raw`\\?"emailAddress\\?"\s*:\s*\\?"(${ADDRESS})`, 'g'))].map((m) => m[1] ?? '');
  }
  if (recipients.length === 0) recipients = textRecipients(input.text, exclude);
  const info: BounceInfo = { recipients: unique(recipients) };
  if (dsn.status) info.status = dsn.status;
  const diagnostic = diagnosticOf(input.rawText);
  if (diagnostic) info.diagnostic = diagnostic;
  const original = originalMessageId(input.rawText, ownMessageId);
  if (original) info.originalMessageId = original;
  return info;
}

/** `report-type` of a top-level multipart/report, from the raw header block. */
export function reportTypeOf(rawText: string): string | undefined {
  const contentType = readHeader(headerBlock(rawText), 'Content-Type');
  if (!contentType || !/multipart\/report/i.test(contentType)) return undefined;
  return /report-type\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase();
}

