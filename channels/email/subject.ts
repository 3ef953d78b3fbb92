/** Subject handling shared by threading and sending: reply prefixes and our `[INC-000123]` token. */

/*
 * Reply/forward prefixes in the languages our users write (and what their clients insert): Re, Sv (sv/da/no),
 * Vs (fi), AW/WG (de), RES/ENC (pt), RV (es), TR (fr), Fw/Fwd, Antw (nl), Odp (pl), Ynt (tr), Ref, 回复/转发…
 * Also bracketed counters "Re[2]:" and "Re(3):".
 */
const PREFIX =
  /^\s*(?:(?:re|sv|vs|aw|wg|res|enc|rv|tr|fw|fwd|antw|antwort|odp|ynt|ref|rif|r|i|vb|vl|doorst|fs|返信|回复|回覆|转发|轉寄|答复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+/iu;
/** Bracketed tags mailing lists and gateways prepend, e.g. "[EXTERNAL]" — but not our own ticket token. */
const LEADING_TAG = /^\s*\[(?!INC-\d+\])[^\]]{1,30}\]\s*/i;

const TOKEN = /\[INC-(\d{1,12})\]/i;
const TOKEN_GLOBAL = /\[INC-\d{1,12}\]/gi;

/** Formats an incident number as the subject token, e.g. 123 → `[INC-000123]`. */
export function subjectToken(incidentNumber: number | string): string {
  const digits = String(incidentNumber).replace(/^INC-/i, '');
  return `[INC-${digits.padStart(6, '0')}]`;
}

/** The incident number in a subject token anywhere in the subject, e.g. `SV: VPN [INC-000123]` → 123. */
export function findSubjectToken(subject: string): number | undefined {
  const m = TOKEN.exec(subject);
  return m?.[1] ? Number.parseInt(m[1], 10) : undefined;
}

/**
 * Subject without reply/forward prefixes, list tags and our token, whitespace-collapsed and lower-cased, so that
 * "SV: Re: [EXT] Printer broken" and "printer  broken" compare equal.
 */
export function normaliseSubject(subject: string): string {
  let s = subject.normalize('NFC');
  for (let i = 0; i < 10; i++) {
    const next = s.replace(PREFIX, '').replace(LEADING_TAG, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(TOKEN, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Subject for an outbound mail: `Re: <original subject> [INC-000123]`. Whatever prefixes (`Re:`, `SV:`, `AW:`…)
 * and tokens the stored subject carries are removed first, so neither `Re: Re:` nor a second token builds up.
 */
export function replySubject(original: string, incidentNumber?: number | string, reply = true): string {
  const existing = findSubjectToken(original);
  let base = original.replace(TOKEN_GLOBAL, ' ').normalize('NFC');
  for (let i = 0; i < 10; i++) {
    const next = base.replace(PREFIX, '');
    if (next === base) break;
    base = next;
  }
  base = base.replace(/\s+/g, ' ').trim() || '(no subject)';
  const number = incidentNumber ?? existing;
  const withToken = number === undefined ? base : `${base} ${subjectToken(number)}`;
  return reply ? `Re: ${withToken}` : withToken;
}
