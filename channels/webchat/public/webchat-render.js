/**
 * Turns message objects into DOM nodes. Message text is untrusted: it only ever reaches the page through
 * textContent and validated href attributes, never through innerHTML.
 */
import { formatBytes } from './webchat-i18n.js';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"»”’]$/;
const CONTINUATION_WINDOW_MS = 5 * 60 * 1000;

/** Builds an element: `el('p', {className: 'x', dataset: {a: '1'}}, child, 'text')`. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** An absolute http(s) URL, or null for anything else (javascript:, data:, garbage). */
export function safeHttpUrl(raw, base) {
  try {
    const url = new URL(String(raw), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Drops sentence punctuation and an unbalanced closing bracket that a URL pattern swallowed. */
function trimUrlCandidate(candidate) {
  let url = candidate;
  for (;;) {
    if (TRAILING_PUNCTUATION.test(url)) url = url.slice(0, -1);
    else if (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
    else if (url.endsWith(']') && count(url, '[') < count(url, ']')) url = url.slice(0, -1);
    else return url;
  }
}

function count(text, char) {
  return text.split(char).length - 1;
}

/** Appends plain text with http(s) URLs turned into links. */
function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const candidate = trimUrlCandidate(match[0]);
    const url = safeHttpUrl(candidate);
    if (!url) continue;
    parent.append(text.slice(last, match.index));
    parent.append(el('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer nofollow', text: candidate }));
    last = match.index + candidate.length;
  }
  parent.append(text.slice(last));
}

/**
 * Renders the light markdown the core writes (`**bold**`, `` `code` ``) plus links. Line breaks survive
 * through `white-space: pre-wrap` on the container.
 */
export function renderRichText(text) {
  const fragment = document.createDocumentFragment();
  const codeParts = String(text ?? '').split(/`([^`\n]+)`/);
  codeParts.forEach((part, i) => {
    if (i % 2 === 1) {
      fragment.append(el('code', { text: part }));
      return;
    }
    part.split(/\*\*([^*\n]+)\*\*/).forEach((piece, j) => {
      if (j % 2 === 1) {
        const strong = el('strong');
        appendLinkified(strong, piece);
        fragment.append(strong);
      } else {
        appendLinkified(fragment, piece);
      }
    });
  });
  return fragment;
}

/** Who wrote a message, as the UI names them. */
export function describeAuthor(message, t) {
  const author = String(message.author || '');
  if (message.direction === 'in') return { kind: 'reporter', name: t('you') };
  if (author.startsWith('agent:')) return { kind: 'agent', name: author.slice(6).trim() || t('agentRole') };
  if (author === 'system') return { kind: 'system', name: t('system') };
  return { kind: 'bot', name: t('bot') };
}

function formatTime(iso, locale) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const sameDay = date.toDateString() === new Date().toDateString();
  const options = sameDay ? { hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' };
  return {
    short: new Intl.DateTimeFormat(locale || undefined, options).format(date),
    full: new Intl.DateTimeFormat(locale || undefined, { dateStyle: 'full', timeStyle: 'short' }).format(date),
  };
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A paperclip drawn inline: emoji fonts are missing on some kiosks and Linux desktops. */
function paperclipIcon() {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'msg__file-icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', 'M21 11.5l-8.6 8.6a5.5 5.5 0 01-7.8-7.8l9.2-9.2a3.7 3.7 0 015.2 5.2l-9.2 9.2a1.8 1.8 0 01-2.6-2.6l8.5-8.5');
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '2');
  path.setAttribute('stroke-linecap', 'round');
  svg.append(path);
  return svg;
}

function renderAttachments(attachments, ctx) {
  const list = el('ul', { className: 'msg__files' });
  for (const file of attachments) {
    const name = String(file.filename || 'file');
    const size = formatBytes(file.size, ctx.locale);
    const url = file.url ? safeHttpUrl(file.url, ctx.baseUrl) : null;
    const label = [paperclipIcon(), name];
    const item = url
      ? el('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', download: name }, ...label)
      : el('span', {}, ...label);
    list.append(el('li', {}, item, el('span', { className: 'msg__file-size', text: ` (${size})` })));
  }
  return list;
}

/**
 * One transcript entry. `message` is a server message or a local pending one (`pending: true`, no id yet).
 * `previous` is the message rendered just before it, used to fold repeated author names.
 */
export function renderMessage(message, ctx, previous) {
  const author = describeAuthor(message, ctx.t);
  const incoming = message.direction === 'in';
  const testId = incoming ? 'msg-in' : author.kind === 'system' ? 'msg-system' : 'msg-out';
  const node = el('div', {
    className: `msg msg--${incoming ? 'in' : 'out'} msg--${author.kind}`,
    'data-testid': testId,
    dataset: { author: String(message.author || ''), ...(message.id ? { id: message.id } : {}) },
  });

  const time = formatTime(message.createdAt, ctx.locale);
  const folded = previous && isContinuation(previous, message);
  const meta = el('p', { className: `msg__meta${folded ? ' msg__meta--folded' : ''}` });
  const authorLabel = el('span', { className: 'msg__author', text: author.name });
  if (author.kind === 'agent') {
    authorLabel.append(el('span', { className: 'msg__role', text: ` · ${ctx.t('agentRole')}` }));
  }
  meta.append(authorLabel);
  if (time) meta.append(' ', el('time', { datetime: message.createdAt, title: time.full, text: time.short }));
  node.append(meta);

  const bubble = el('div', { className: 'msg__bubble' });
  if (message.text) bubble.append(el('p', { className: 'msg__text' }, renderRichText(message.text)));
  if (Array.isArray(message.attachments) && message.attachments.length > 0) {
    bubble.append(renderAttachments(message.attachments, ctx));
  }
  node.append(bubble);
  return node;
}

function isContinuation(previous, message) {
  if (previous.author !== message.author || previous.direction !== message.direction) return false;
  const gap = Date.parse(message.createdAt) - Date.parse(previous.createdAt);
  return Number.isFinite(gap) && gap >= 0 && gap < CONTINUATION_WINDOW_MS;
}

/** Quick-reply buttons under a bot message. */
export function renderChoices(choices, ctx, onChoose) {
  const group = el('div', { className: 'choices', role: 'group', 'aria-label': ctx.t('choicesLabel') });
  for (const choice of choices) {
    const button = el('button', {
      type: 'button',
      className: 'choice',
      'data-testid': 'choice-button',
      dataset: { choiceId: choice.id },
      text: choice.label,
    });
    button.addEventListener('click', () => {
      for (const b of group.querySelectorAll('button')) b.disabled = true;
      onChoose(choice);
    });
    group.append(button);
  }
  return group;
}

/** Status line under a local message: "Sending…", or "Not sent." with a Retry button. */
export function renderDeliveryState(node, state, ctx, onRetry) {
  node.querySelector('.msg__delivery')?.remove();
  node.classList.toggle('msg--pending', state === 'sending');
  node.classList.toggle('msg--failed', state === 'failed');
  if (state === 'sent') return;
  const line = el('p', { className: 'msg__delivery' });
  if (state === 'sending') {
    line.textContent = ctx.t('sending');
  } else {
    line.append(ctx.t('notSent'), ' ');
    line.append(el('button', { type: 'button', className: 'link-button', text: ctx.t('retry'), onclick: onRetry }));
  }
  node.append(line);
}
