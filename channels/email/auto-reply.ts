import type { RawHeaders } from './headers.js';
import type { AutoReplyReason } from './types.js';

/**
 * Loop and noise detection for mail that no human wrote (RFC 3834 and the de-facto headers of Exchange, Gmail,
 * vacation(1), list servers). Replying to such mail risks mail loops, so the intake records it but never answers.
 */

export interface AutoReplyVerdict {
  isAutoReply: boolean;
  reason?: AutoReplyReason;
  isMailingList: boolean;
}

export interface AutoReplyInput {
  headers: RawHeaders;
  subject: string;
  /** Text the sender wrote (quoted history removed), used for out-of-office phrases. */
  visibleText: string;
  /** `report-type` of a top-level multipart/report, lower-cased, if any. */
  reportType?: string;
  /** Full plain-text body, for machine-readable notifications (SES/SNS JSON). */
  text?: string;
}

/** Headers set by list managers (RFC 2369 and the common list servers). */
const LIST_HEADERS = ['list-id', 'list-unsubscribe', 'list-post', 'list-subscribe', 'list-help', 'list-owner', 'x-mailman-version', 'x-mlserver', 'x-ml-name'];
/** Abuse feedback loops: Hotmail JMRP, Amazon SES complaint/delivery notifications. */
const FEEDBACK_HEADERS = ['x-hmxmroriginalrecipient', 'x-arf-feedback-type'];
const FEEDBACK_SUBJECT = /\b(complaint about message from|abuse report|feedback loop report)\b/i;
const SES_NOTIFICATION = /\\?"(?:notificationType|eventType)\\?"\s*:\s*\\?"(?:Complaint|Delivery|Bounce|Send|Reject|DeliveryDelay)"/;

const PRECEDENCE_AUTOMATIC = /^(bulk|junk|list|auto[_-]?reply)$/i;

// Subjects auto-responders put in front of (or instead of) the original subject. EN/SV/ES/PT/DE/FR + a few more.
const OUT_OF_OFFICE_SUBJECT = new RegExp(
  [
    String.raw`\bout of (the )?office\b`,
    String.raw`\bauto(matic|matisk|mated)?[ -]?(reply|response|answer|svar)\b`,
    String.raw`\bautoreply\b`,
    String.raw`\bauto[- ]?respon(se|der)\b`,
    String.raw`\bvacation (reply|notice|message)\b`,
    String.raw`\bon (vacation|holiday|leave)\b`,
    String.raw`\baway from (the )?office\b`,
    String.raw`\bautomatiskt svar\b`,
    String.raw`\bfrånvar(o|ande)\b`,
    String.raw`\bsemester(svar)?\b.*\b(till|tills|åter)\b`,
    String.raw`\brespuesta autom[aá]tica\b`,
    String.raw`\bfuera de (la )?oficina\b`,
    String.raw`\bausente\b`,
    String.raw`\bresposta autom[aá]tica\b`,
    String.raw`\bfora do escrit[oó]rio\b`,
    String.raw`\baus(ser)? (dem|des) b[üu]ro\b`,
    String.raw`\babwesenheit(snotiz|smeldung)?\b`,
    String.raw`\bautomatische antwort\b`,
    String.raw`\br[ée]ponse automatique\b`,
    String.raw`\babsence\b.*\b(du|jusqu|until)\b`,
    String.raw`\bmessage d'absence\b`,
    String.raw`\bje suis absent`,
  ].join('|'),
  'i',
);

/*
 * Body phrases alone are weak: "I will be out of the office tomorrow, please fix my VPN first" is a real request.
 * So a body only counts when an absence phrase AND a typical auto-responder follow-up (return date, limited
 * access, forwarding to a colleague) both appear near the top.
 */
const ABSENCE_BODY = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])(i am|i'm|i will be|i'll be|currently)(?![\p{L}\p{N}])[^\n]{0,40}(?<![\p{L}\p{N}])(out of (the )?office|away|on (annual |parental )?(leave|vacation|holiday)|travell?ing)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])thank you for your (e-?mail|message)(?![\p{L}\p{N}])[^\n]{0,60}(?<![\p{L}\p{N}])(out of|away|absent|leave)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])jag är(?![\p{L}\p{N}])[^\n]{0,30}(?<![\p{L}\p{N}])(ledig|på semester|tjänstledig|frånvarande|borta|på resa|föräldraledig)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(estoy|estaré|me encuentro)(?![\p{L}\p{N}])[^\n]{0,30}(?<![\p{L}\p{N}])(fuera de (la )?oficina|de vacaciones|ausente)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(estou|estarei|me encontro)(?![\p{L}\p{N}])[^\n]{0,30}(?<![\p{L}\p{N}])(fora do escrit[oó]rio|de f[ée]rias|ausente)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])ich bin(?![\p{L}\p{N}])[^\n]{0,60}(?<![\p{L}\p{N}])(nicht im b[üu]ro|abwesend|im urlaub|au(ss|ß)er haus)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])je (suis|serai)(?![\p{L}\p{N}])[^\n]{0,30}(?<![\p{L}\p{N}])(absente?|en cong[ée]s?|en vacances|hors du bureau)(?![\p{L}\p{N}])`,
  ].join('|'),
  'iu',
);
const AUTO_RESPONDER_FOLLOW_UP = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])(until|return(ing)?|back (on|in)|limited access|no access|will (reply|respond|get back)|urgent|in my absence|contact)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(till|tills|åter|tillbaka|brådskande|kontakta)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(hasta|regreso|vuelta|urgente|contacte|acceso limitado)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(até|retorno|volta|regresso|urgente|contato|contacte)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(bis|zurück|wieder|dringend|wenden sie sich|vertret)`,
    String.raw`(?<![\p{L}\p{N}])(jusqu|retour|urgent|contacter)`,
  ].join('|'),
  'iu',
);

/** Looks only at the first lines: auto-responders state the absence up front. */
function isOutOfOfficeBody(visibleText: string): boolean {
  const head = visibleText.slice(0, 600);
  return ABSENCE_BODY.test(head) && AUTO_RESPONDER_FOLLOW_UP.test(head);
}

function firstToken(value: string): string {
  return value.split(/[;\s]/)[0]?.toLowerCase() ?? '';
}

export function detectAutoReply(input: AutoReplyInput): AutoReplyVerdict {
  const { headers } = input;
  const isMailingList = LIST_HEADERS.some((h) => headers.has(h));
  const verdict = (reason: AutoReplyReason): AutoReplyVerdict => ({ isAutoReply: true, reason, isMailingList });

  const autoSubmitted = headers.get('auto-submitted');
  if (autoSubmitted !== undefined && firstToken(autoSubmitted) !== 'no') return verdict('auto-submitted');
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-autoreply-from'))
    return verdict(headers.has('x-autorespond') ? 'x-autorespond' : 'x-autoreply');
  if (headers.has('x-auto-response-suppress')) {
    // Exchange stamps this on its own generated mail (OOF, DSN, recall); "None" would mean "answer me".
    const value = headers.get('x-auto-response-suppress') ?? '';
    if (!/^\s*none\s*$/i.test(value)) return verdict('auto-response-suppress');
  }
  const precedence = headers.get('precedence');
  if (precedence && PRECEDENCE_AUTOMATIC.test(precedence.trim())) return verdict('precedence');
  if (input.reportType === 'feedback-report' || input.reportType === 'disposition-notification')
    return verdict('feedback-report');
  if (
    FEEDBACK_HEADERS.some((h) => headers.has(h)) ||
    FEEDBACK_SUBJECT.test(input.subject) ||
    SES_NOTIFICATION.test(input.text ?? '')
  )
    return verdict('feedback-report');
  if (isMailingList) return verdict('mailing-list');
  if (OUT_OF_OFFICE_SUBJECT.test(input.subject)) return verdict('out-of-office-subject');
  if (isOutOfOfficeBody(input.visibleText)) return verdict('out-of-office-body');
  return { isAutoReply: false, isMailingList };
}
