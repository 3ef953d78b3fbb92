import { compile } from 'html-to-text';

/**
 * HTML bodies: quoted history is marked structurally by the clients, so it is removed before converting to text
 * (the plain-text extractor then handles what is left, e.g. Apple Mail's "On … wrote:" above the blockquote).
 */

/*
 * Outlook (desktop and web) does not wrap the quoted message: a marker element is followed by siblings holding
 * the history. Everything from the earliest marker to the end is history, so the HTML is cut there.
 */
const HISTORY_FROM_HERE: RegExp[] = [
  /<div[^>]*\bid=["']?appendonsend\b/i,
  /<div[^>]*\bid=["']?divRplyFwdMsg\b/i,
  /<hr[^>]*\bid=["']?stopSpelling\b/i,
  /<div[^>]*\bclass=["']?OutlookMessageHeader\b/i,
  /<div[^>]*style=["'][^"']*border:\s*none;\s*border-top:\s*solid\s*#[0-9a-f]{6}\s*1\.0pt/i,
  /<div[^>]*\bclass=["']?moz-cite-prefix\b/i,
  /<div[^>]*\bid=["']?(?:mail-editor-reference-message-container|yahoo_quoted_\w+)\b/i,
];

/* Gmail and Apple Mail wrap the history in one element; removing only it keeps interleaved answers. */
const quoteElements = [
  'div.gmail_quote',
  'div.gmail_extra > div.gmail_quote',
  'blockquote[type="cite"]',
  'blockquote.gmail_quote',
  'div.yahoo_quoted',
  'div.protonmail_quote',
  'blockquote.protonmail_quote',
  'div.zmail_extra',
  'div#ymail_android_signature',
  'div.gmail_signature',
  'div.moz-signature',
];

const toText = compile({
  wordwrap: false,
  // Large newsletters exceed the default limits; quoting never sits that deep.
  limits: { maxInputLength: 5_000_000, maxDepth: 200 },
  selectors: [
    ...quoteElements.map((selector) => ({ selector, format: 'skip' })),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'head', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

const fullText = compile({
  wordwrap: false,
  limits: { maxInputLength: 5_000_000, maxDepth: 200 },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

/** The HTML with the Outlook-style history (marker and everything after it) removed. */
export function cutOutlookHistory(html: string): string {
  let cut = html.length;
  for (const marker of HISTORY_FROM_HERE) {
    const at = html.search(marker);
    if (at >= 0 && at < cut) cut = at;
  }
  return html.slice(0, cut);
}

/** Text of an HTML body without quoted history (signatures are left to the plain-text pass). */
export function htmlReplyToText(html: string): string {
  return toText(cutOutlookHistory(html)).trim();
}

/** Text of a whole HTML body, quotes included (used as `text` when a mail has no text/plain part). */
export function htmlToPlainText(html: string): string {
  return fullText(html).trim();
}
