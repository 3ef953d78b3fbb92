/**
 * Frontline web chat: the full page at `/` and, with `?embed=1`, the panel the widget opens in an iframe.
 * Owns the conversation: the stored session, the live feed and the queue of outgoing messages.
 * Query parameters: `embed=1`, `title=` (embed only), `locale=` (overrides the server's default), `user=` (an
 * identity signed by the embedding page, see the README).
 */
import { ApiError, createApi, uuid } from './webchat-api.js';
import { startLiveFeed } from './webchat-live.js';
import { createTranscript } from './webchat-transcript.js';
import { createComposer } from './webchat-composer.js';
import { createTranslator } from './webchat-i18n.js';
import { createContactOffer } from './webchat-contact.js';

const STORAGE_KEY = 'frontline.webchat.session';
const MAX_SEND_ATTEMPTS = 4;
/** Overload refusals cost the server nothing: a reporter's message is tried for a few minutes before giving up. */
const MAX_BUSY_ATTEMPTS = 20;
const MAX_BUSY_WAIT_MS = 30_000;
const MAX_HISTORY_PAGES = 50;
const OFFLINE_BANNER_DELAY_MS = 3000;
const NOTICE_TIMEOUT_MS = 12_000;

const params = new URLSearchParams(location.search);
const embedded = params.get('embed') === '1';
const api = createApi(new URL('.', import.meta.url));
const storage = openStorage();
const $ = (selector) => document.querySelector(selector);

const dom = {
  title: $('#chat-title'),
  intro: $('#chat-intro'),
  connection: $('[data-testid="chat-connection"]'),
  notice: $('[data-testid="chat-notice"]'),
  input: $('[data-testid="chat-input"]'),
};

const state = {
  locale: params.get('locale') || navigator.language || 'en',
  t: createTranslator(params.get('locale') || navigator.language),
  title: undefined,
  maxBytes: undefined,
  maxTextLength: undefined,
  session: null,
  creating: null,
  live: null,
  /** Bumped by "New conversation": late answers for the old conversation are ignored. */
  epoch: 0,
  /** Messages written here and not yet accepted by the server, oldest first; sent one at a time. */
  outbox: [],
  /** Every local message whose POST has not answered yet (for restoring text if the session is lost). */
  unsent: new Set(),
  pumping: false,
};
const ctx = () => ({ t: state.t, locale: state.locale, baseUrl: api.baseUrl, maxBytes: state.maxBytes, maxTextLength: state.maxTextLength });

/** localStorage, or memory when it is blocked (Safari third-party iframes, some private modes). */
function openStorage() {
  try {
    const probe = `${STORAGE_KEY}.probe`;
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    const memory = new Map();
    return {
      getItem: (k) => memory.get(k) ?? null,
      setItem: (k, v) => memory.set(k, String(v)),
      removeItem: (k) => memory.delete(k),
    };
  }
}

function loadSession() {
  try {
    const saved = JSON.parse(storage.getItem(STORAGE_KEY) || 'null');
    if (saved && typeof saved.conversationId === 'string' && typeof saved.token === 'string') return saved;
  } catch {
    // a corrupt entry: start fresh
  }
  return null;
}

// ---- interface text and status ---------------------------------------------------------------------------

function applyStrings() {
  const { t } = state;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      node.setAttribute(attr, t(key));
    }
  }
  if (embedded) dom.intro.textContent = t('introEmbed');
  const title = (embedded && params.get('title')) || state.title || t('title');
  dom.title.textContent = title;
  document.title = title;
  // The page speaks the conversation's language; the chrome says so when it had to fall back to English.
  document.documentElement.lang = state.locale;
  const primary = state.locale.toLowerCase().split(/[-_]/)[0];
  for (const node of document.querySelectorAll('.ui-chrome')) {
    if (t.lang !== primary) node.setAttribute('lang', t.lang);
    else node.removeAttribute('lang');
  }
}

let noticeTimer = null;
function notify(text) {
  clearTimeout(noticeTimer);
  dom.notice.textContent = text;
  if (text) noticeTimer = setTimeout(() => (dom.notice.textContent = ''), NOTICE_TIMEOUT_MS);
}

let offlineTimer = null;
function setConnection(status) {
  if (status === 'online') {
    clearTimeout(offlineTimer);
    offlineTimer = null;
    if (!dom.connection.hidden) {
      dom.connection.hidden = true;
      notify(state.t('online'));
    }
  } else if (!offlineTimer && dom.connection.hidden) {
    // Brief blips (an SSE reconnect) should not flash a banner.
    offlineTimer = setTimeout(() => {
      dom.connection.textContent = state.t('offline');
      dom.connection.hidden = false;
    }, OFFLINE_BANNER_DELAY_MS);
  }
}

function tellParent(type) {
  // No secrets travel here, and the embedding origin is unknown to this page, hence '*'.
  if (embedded && window.parent !== window) window.parent.postMessage({ source: 'frontline-webchat', type }, '*');
}

const transcript = createTranscript({
  log: $('[data-testid="chat-log"]'),
  scroller: $('.chat-scroll'),
  empty: $('#chat-empty'),
  context: ctx,
  onChoose: (choice) => {
    queueOutgoing({ choice: choice.id }, { text: choice.label, matchTexts: [choice.label, choice.id] });
    dom.input.focus(); // the buttons disappear: keep keyboard focus somewhere useful
  },
});

const contactOffer = createContactOffer({
  api,
  storage,
  container: $('[data-testid="contact-slot"]'),
  context: ctx,
  getSession: () => state.session,
});

function showMessages(messages, { live }) {
  const newOutbound = transcript.ingest(messages);
  if (live && newOutbound > 0) tellParent('message');
  if (newOutbound > 0) void contactOffer.check(live ? messages : undefined);
}

// ---- conversation lifecycle --------------------------------------------------------------------------------

function startLive(cursor) {
  const epoch = state.epoch;
  state.live?.stop();
  state.live = startLiveFeed({
    api,
    session: state.session,
    cursor,
    onMessages: (messages) => epoch === state.epoch && showMessages(messages, { live: true }),
    onStatus: (status) => epoch === state.epoch && setConnection(status),
    onSessionLost: () => epoch === state.epoch && sessionLost(),
  });
}

/** The conversation is created when the reporter first sends something, not on every page view. */
function ensureSession() {
  if (state.session) return Promise.resolve(state.session);
  if (!state.creating) {
    state.creating = api
      .createConversation(state.locale, params.get('user') ? { user: params.get('user') } : {})
      .then((created) => {
        if (!created || typeof created.conversationId !== 'string' || typeof created.token !== 'string') {
          throw new ApiError('Unexpected answer from the chat service', { status: 502 });
        }
        state.session = { conversationId: created.conversationId, token: created.token };
        storage.setItem(STORAGE_KEY, JSON.stringify(state.session));
        startLive(undefined);
        return state.session;
      })
      .finally(() => {
        state.creating = null;
      });
  }
  return state.creating;
}

function resetConversation() {
  state.epoch += 1;
  state.live?.stop();
  state.live = null;
  state.session = null;
  state.creating = null;
  state.outbox = [];
  state.unsent.clear();
  storage.removeItem(STORAGE_KEY);
  transcript.reset();
  contactOffer.reset();
  setConnection('online');
  dom.connection.hidden = true;
}

/** The server no longer knows the conversation (reset database, expired token): start over, keep the draft. */
function sessionLost() {
  const drafts = [...state.unsent].filter((item) => item.payload.text).map((item) => item.payload.text);
  resetConversation();
  composer.restore(drafts.join('\n'));
  notify(state.t('sessionExpired'));
}

async function loadHistory(session) {
  let cursor;
  const all = [];
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const result = await api.listMessages(session, cursor);
    all.push(...result.messages);
    const advanced = result.cursor !== cursor;
    cursor = result.cursor;
    if (result.messages.length === 0 || !advanced) break;
  }
  return { messages: all, cursor };
}

// ---- sending -----------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Shows the reporter's message at once and queues it. Messages go out one at a time so they arrive in the
 * order they were written; each keeps its Idempotency-Key across retries so a retry never duplicates it.
 */
function queueOutgoing(payload, { text, matchTexts, attachments = [] }) {
  const message = { direction: 'in', author: 'reporter', text, attachments, choices: [], createdAt: new Date().toISOString() };
  const item = { key: uuid(), payload, local: transcript.addLocal(message, matchTexts ?? [text]) };
  transcript.setDelivery(item.local, 'sending');
  state.unsent.add(item);
  state.outbox.push(item);
  void pump();
}

async function pump() {
  if (state.pumping) return;
  state.pumping = true;
  try {
    while (state.outbox.length > 0) {
      const item = state.outbox[0];
      await deliver(item, state.epoch);
      if (state.outbox[0] === item) state.outbox.shift();
    }
  } finally {
    state.pumping = false;
  }
}

async function deliver(item, epoch) {
  for (let attempt = 1; ; attempt++) {
    try {
      const session = await ensureSession();
      const accepted = await api.sendMessage(session, item.payload, item.key);
      if (epoch !== state.epoch) return;
      state.unsent.delete(item);
      transcript.acknowledge(item.local, accepted && accepted.messageId);
      return;
    } catch (error) {
      if (epoch !== state.epoch) return;
      if (item.local.id) {
        // The live feed already showed the server's copy: it was delivered, only the answer got lost.
        state.unsent.delete(item);
        transcript.acknowledge(item.local, item.local.id);
        return;
      }
      if (error.sessionLost) {
        sessionLost();
        return;
      }
      // A busy server (admission control: 503/429 + Retry-After) refused the message before storing it: keep
      // it and send it again after the time asked, with jitter so a burst of widgets does not return at once.
      const busy = error.status === 503 || error.status === 429;
      if (!error.retryable || attempt >= (busy ? MAX_BUSY_ATTEMPTS : MAX_SEND_ATTEMPTS)) {
        transcript.setDelivery(item.local, 'failed', () => retry(item));
        notify(state.t(state.session ? 'sendFailed' : 'startFailed', { reason: error.message }));
        return;
      }
      if (busy) notify(state.t('busy'));
      const wait = error.retryAfterMs ?? 500 * 2 ** attempt;
      await sleep(busy ? Math.min(MAX_BUSY_WAIT_MS, wait) * (1 + Math.random() * 0.5) : wait);
      if (busy) notify('');
      if (epoch !== state.epoch) return;
    }
  }
}

function retry(item) {
  transcript.setDelivery(item.local, 'sending');
  notify('');
  state.outbox.push(item);
  void pump();
}

// ---- start -------------------------------------------------------------------------------------------------

const composer = createComposer({
  form: $('form.composer'),
  input: dom.input,
  sendButton: $('[data-testid="chat-send"]'),
  fileInput: $('[data-testid="attach-input"]'),
  stagedList: $('ul.staged'),
  context: ctx,
  upload: async (file) => api.uploadAttachment(await ensureSession(), file),
  notify,
  onSubmit: ({ text, attachments }) => {
    const payload = attachments.length > 0 ? { attachments: attachments.map((a) => a.id) } : {};
    if (text) payload.text = text;
    notify('');
    queueOutgoing(payload, { text, attachments });
  },
});

$('[data-testid="new-conversation"]').addEventListener('click', () => {
  resetConversation();
  composer.reset();
  notify(state.t('newConversationDone'));
  composer.focus();
});

if (embedded) {
  document.documentElement.classList.add('is-embedded');
  const close = $('[data-testid="chat-close"]');
  close.hidden = false;
  close.addEventListener('click', () => tellParent('close'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') tellParent('close');
  });
  window.addEventListener('message', (event) => {
    if (event.source === window.parent && event.data && event.data.type === 'frontline:focus') composer.focus();
  });
}

/**
 * The reporter's language: `?locale=`, else the browser's languages in order, else the server's default — the
 * first one the server offers. The full tag is kept (sv-SE), so times and numbers follow the region too.
 */
function pickLocale(offered, fallback) {
  const primary = (tag) => String(tag).toLowerCase().split(/[-_]/)[0];
  const served = new Set(offered.map(primary));
  const wanted = [params.get('locale'), ...(navigator.languages || []), navigator.language].filter(Boolean);
  return wanted.find((tag) => served.size === 0 || served.has(primary(tag))) || fallback || 'en';
}

async function loadConfig() {
  try {
    const config = await api.config();
    if (!config || typeof config !== 'object') return;
    if (Number.isFinite(config.maxAttachmentBytes)) state.maxBytes = config.maxAttachmentBytes;
    if (Number.isFinite(config.maxTextLength)) state.maxTextLength = config.maxTextLength;
    if (typeof config.title === 'string' && config.title) state.title = config.title;
    state.locale = pickLocale(Array.isArray(config.locales) ? config.locales : [], config.locale);
    state.t = createTranslator(state.locale);
  } catch {
    // defaults are fine; the first send reports it if the service is really down
  }
}

async function restoreConversation(saved) {
  const epoch = state.epoch;
  state.session = saved;
  const log = $('[data-testid="chat-log"]');
  log.setAttribute('aria-busy', 'true');
  try {
    const { messages, cursor } = await loadHistory(saved);
    if (epoch !== state.epoch) return; // the reporter already started over
    showMessages(messages, { live: false });
    startLive(cursor);
  } catch (error) {
    if (epoch !== state.epoch) return;
    if (error.sessionLost) {
      resetConversation();
      notify(state.t('sessionExpired'));
    } else {
      startLive(undefined); // it catches up once the service answers again
      setConnection('offline');
    }
  } finally {
    log.removeAttribute('aria-busy');
  }
}

async function boot() {
  await loadConfig();
  applyStrings();
  const saved = loadSession();
  if (saved) await restoreConversation(saved);
  transcript.markLoaded();
  document.documentElement.classList.add('is-ready');
  tellParent('ready');
}

void boot();
