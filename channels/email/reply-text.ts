import {
  ATTRIBUTION,
  ATTRIBUTION_EVIDENCE,
  ATTRIBUTION_JA,
  ATTRIBUTION_NO_COLON,
  ATTRIBUTION_VERB_THEN_ADDRESS,
  HISTORY_LEAD_IN,
  isDateAddressAttribution,
  LIST_FOOTER,
  EXTERNAL_BANNER,
  FORWARD_INTRO,
  HEADER_FROM,
  HEADER_OTHER,
  QUOTED,
  SENT_FROM,
  SEPARATOR,
  SIGNATURE_DELIMITER,
  UNDERSCORE_RULE,
  VALEDICTION,
} from './reply-patterns.js';

/**
 * Visible-reply extraction for plain text: what the sender wrote in this mail, without quoted history,
 * attribution lines, signatures and mobile footers. Line based, so it works the same on text converted from HTML.
 */

const isBlank = (line: string): boolean => line.trim() === '';

function isAttribution(line: string): boolean {
  if (ATTRIBUTION_NO_COLON.test(line) || ATTRIBUTION_JA.test(line)) return true;
  if (ATTRIBUTION.test(line) || ATTRIBUTION_VERB_THEN_ADDRESS.test(line)) return ATTRIBUTION_EVIDENCE.test(line);
  return isDateAddressAttribution(line);
}

/** A mobile footer alone on its line ("Sent from my iPhone"), not a sentence that happens to start that way. */
export function isMobileFooter(line: string): boolean {
  return SENT_FROM.test(line) && line.trim().length <= 100 && !/[.,;!?]\s+\S/.test(line) && !/[.!?]\s*$/.test(line);
}

/** Length (in lines, 1–3) of an attribution header starting at `i`, or 0. Clients wrap long ones. */
function attributionLength(lines: string[], i: number): number {
  const first = lines[i] ?? '';
  if (isBlank(first) || QUOTED.test(first)) return 0;
  let joined = '';
  for (let n = 1; n <= 3 && i + n - 1 < lines.length; n++) {
    const line = lines[i + n - 1] ?? '';
    // Gmail may wrap the closing ">:" of the address onto its own line, which then looks quoted.
    const closesAddress = n > 1 && /^>\s*[:：]\s*$/.test(line);
    if (n > 1 && (isBlank(line) || (QUOTED.test(line) && !closesAddress))) break;
    joined = n === 1 ? line.trim() : `${joined}${closesAddress ? '' : ' '}${line.trim()}`;
    if (joined.length > 400) break;
    if (isAttribution(joined)) {
      // Prefer the latest start: "…as soon as I\nget back.\nOn Dec 8, John wrote:" starts on the last line.
      const endsSentence = lines.slice(i, i + n - 1).some((l) => /[.!?]\s*$/.test(l));
      return endsSentence ? 0 : n;
    }
  }
  return 0;
}

/** True when `i` starts an Outlook-style header block: a From line followed closely by other header lines. */
function isHeaderBlock(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i] ?? '')) return false;
  let others = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 7); j++) {
    const line = lines[j] ?? '';
    if (HEADER_OTHER.test(line)) others++;
    if (others >= 1 && /^\s*[*_]?(sent|date|subject|skickat|datum|ämne|enviado|fecha|asunto|data|assunto|gesendet|betreff|envoyé|objet|sujet|inviato|oggetto|verzonden|onderwerp|sendt|emne|lähetetty|aihe|wysłane|temat|odesláno|předmět|elküldve|tárgy|отправлено|тема|发送时间|主题|送信日時|件名)/iu.test(line))
      return true;
  }
  return false;
}

interface HistoryStart {
  index: number;
  /** Lines the marker itself occupies (attribution headers may be wrapped). */
  length: number;
  kind: 'attribution' | 'header-block' | 'separator';
}

/** The first line where quoted history begins, whatever form it takes. */
function findHistoryStart(lines: string[]): HistoryStart | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTED.test(line)) continue;
    const attribution = attributionLength(lines, i);
    if (attribution > 0) return { index: i, length: attribution, kind: 'attribution' };
    if (SEPARATOR.test(line) || FORWARD_INTRO.test(line)) return { index: i, length: 1, kind: 'separator' };
    // Mobile clients put their footer right above the (often unmarked) history.
    if (isMobileFooter(line) && i > 0) return { index: i, length: 1, kind: 'separator' };
    if (UNDERSCORE_RULE.test(line)) {
      const next = lines.slice(i + 1, i + 4).findIndex((l) => !isBlank(l));
      if (next >= 0 && isHeaderBlock(lines, i + 1 + next)) return { index: i, length: 1, kind: 'header-block' };
    }
    if (isHeaderBlock(lines, i)) return { index: i, length: 1, kind: 'header-block' };
  }
  return undefined;
}

/**
 * After an attribution line, a reply may be interleaved with the quote ("> question" / answer / "> question").
 * Returns the unquoted answers in that case, else an empty list (the whole tail is history).
 */
function interleavedAnswers(tail: string[]): string[] {
  const firstContent = tail.findIndex((l) => !isBlank(l));
  if (firstContent < 0 || !QUOTED.test(tail[firstContent] ?? '')) return [];
  const answers: string[] = [];
  let sawQuoteAfterAnswer = false;
  for (let i = firstContent; i < tail.length; i++) {
    const line = tail[i] ?? '';
    if (QUOTED.test(line)) {
      if (answers.some((l) => !isBlank(l))) sawQuoteAfterAnswer = true;
      continue;
    }
    // A line glued to a quoted line is that quote wrapped by a client, not an answer.
    const previous = tail[i - 1] ?? '';
    if (!isBlank(line) && QUOTED.test(previous) && previous.replace(/^[\s>]+/, '') !== '') continue;
    if (attributionLength(tail, i) > 0 || isHeaderBlock(tail, i) || SEPARATOR.test(line)) break;
    answers.push(line);
  }
  const content = answers.filter((l) => !isBlank(l));
  // A lone trailing block after the quote is usually a list footer or signature, not an interleaved answer.
  if (content.length === 0 || (!sawQuoteAfterAnswer && !startsLikeAnswer(content))) return [];
  return answers;
}

function startsLikeAnswer(content: string[]): boolean {
  const first = content[0] ?? '';
  return !/^[_=-]{5,}/.test(first) && !SIGNATURE_DELIMITER.test(first);
}

/** Index where the signature starts in `lines`, or `lines.length`. */
function signatureStart(lines: string[]): number {
  const contentIdx = lines.map((l, i) => (isBlank(l) ? -1 : i)).filter((i) => i >= 0);
  const lastContent = contentIdx.at(-1) ?? -1;
  // "-- " delimiter: the last one wins, as long as a short block follows.
  for (let k = contentIdx.length - 1; k >= 0; k--) {
    const i = contentIdx[k] ?? 0;
    if (SIGNATURE_DELIMITER.test(lines[i] ?? '') && contentIdx.length - k <= 15 && k > 0) return i;
  }
  // Mobile footers within the last three content lines.
  for (const i of contentIdx.slice(-3)) if (isMobileFooter(lines[i] ?? '') && i > (contentIdx[0] ?? 0)) return i;
  // Mailing-list footer: a rule followed by the list's name or URL.
  for (const i of contentIdx.slice(-6)) {
    if (!/^\s*_{2,}\s*$/.test(lines[i] ?? '')) continue;
    if (lines.slice(i + 1).some((l) => LIST_FOOTER.test(l))) return i;
  }
  // A valediction alone on its line followed by at most six short lines (name, title, phone).
  for (const i of contentIdx.slice(-7, -1)) {
    if (!VALEDICTION.test(lines[i] ?? '') || i === contentIdx[0]) continue;
    const after = lines.slice(i + 1, lastContent + 1).filter((l) => !isBlank(l));
    if (after.length <= 6 && after.every((l) => l.trim().length <= 80 && !/\?\s*$/.test(l))) return i;
  }
  return lines.length;
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? '')) start++;
  while (end > start && isBlank(lines[end - 1] ?? '')) end--;
  return lines.slice(start, end);
}

function stripBanner(lines: string[]): string[] {
  const first = lines.findIndex((l) => !isBlank(l));
  if (first >= 0 && EXTERNAL_BANNER.test(lines[first] ?? '')) return lines.slice(first + 1);
  return lines;
}

export interface VisibleTextOptions {
  /** Keep the signature (still drops quoted history). */
  keepSignature?: boolean;
}

/** Lines after a history marker: the header block or attribution skipped, one level of quoting removed. */
function historyBody(lines: string[], start: HistoryStart): string[] {
  let from = start.index + start.length;
  if (start.kind !== 'attribution') {
    const blank = lines.findIndex((l, i) => i >= from && isBlank(l));
    if (start.kind === 'header-block' || isHeaderBlock(lines, from)) from = blank < 0 ? lines.length : blank;
  }
  return lines.slice(from).map((l) => l.replace(/^\s*> ?/, ''));
}

/** Extracts what the sender wrote in a plain-text mail body. */
export function extractVisibleText(text: string, options: VisibleTextOptions = {}): string {
  return extractLines(text.replace(/\r\n?/g, '\n').split('\n'), options, 0);
}

function extractLines(rawLines: string[], options: VisibleTextOptions, depth: number): string {
  const lines = stripBanner(rawLines.map((l) => l.replace(/\u00a0/g, ' ').replace(/\ufeff/g, '')));
  const start = findHistoryStart(lines);
  let visible: string[];
  if (start) {
    const head = lines.slice(0, start.index);
    if (start.kind === 'header-block') {
      // Drop the "====" / "Message du : …" lines some clients put above their header block.
      while (head.length > 0 && (isBlank(head.at(-1) ?? '') || HISTORY_LEAD_IN.test(head.at(-1) ?? ''))) head.pop();
    }
    const answers =
      start.kind === 'attribution' ? interleavedAnswers(lines.slice(start.index + start.length)) : [];
    visible = [...head, ...(answers.length > 0 ? ['', ...answers] : [])];
  } else {
    // No header: drop quoted lines, keep anything written between or after them.
    visible = lines.filter((l) => !QUOTED.test(l));
  }
  visible = trimBlankEdges(visible);
  // A rule left dangling at the end (Outlook's <hr> above its header block) belongs to the history.
  while (visible.length > 0 && /^\s*[-_=—*]{3,}\s*$/.test(visible.at(-1) ?? '')) visible = trimBlankEdges(visible.slice(0, -1));
  if (!options.keepSignature) visible = trimBlankEdges(visible.slice(0, signatureStart(visible)));
  // Collapse the holes left by removed blocks.
  const result = visible.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  // Nothing above the history (a forward without comment): the forwarded message is what the sender sends us.
  if (result === '' && start && depth < 3) return extractLines(historyBody(lines, start), options, depth + 1);
  return result;
}
