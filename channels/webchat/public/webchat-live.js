/**
 * Live updates for one conversation: Server-Sent Events first, polling GET every 2 s while SSE is unusable
 * (blocked by a proxy, unsupported, or failing), with a periodic attempt to get back to SSE.
 * Every (re)connection also fetches what was missed, so messages may arrive twice: the caller dedupes by id.
 */
import { normalizeMessage } from './webchat-api.js';

const POLL_INTERVAL_MS = 2000;
const SSE_ERRORS_BEFORE_POLLING = 3;
const SSE_RETRY_MIN_MS = 30_000;
const SSE_RETRY_MAX_MS = 5 * 60_000;
const MAX_CATCH_UP_PAGES = 20;

/**
 * @param {object} options
 * @param {ReturnType<import('./webchat-api.js').createApi>} options.api
 * @param {{conversationId: string, token: string}} options.session
 * @param {string|undefined} options.cursor  position after the history already shown
 * @param {(messages: object[]) => void} options.onMessages
 * @param {(state: 'online'|'offline') => void} options.onStatus
 * @param {(error: Error) => void} options.onSessionLost
 * @returns {{stop(): void, cursor(): string|undefined, mode(): string}}
 */
export function startLiveFeed({ api, session, cursor, onMessages, onStatus, onSessionLost }) {
  let position = cursor;
  let stopped = false;
  let source = null;
  let sseErrors = 0;
  let sseRetryDelay = SSE_RETRY_MIN_MS;
  let pollTimer = null;
  let pollGeneration = 0;
  let sseRetryTimer = null;
  let catchUpRunning = null;
  let mode = 'connecting';

  /** Fetches everything after the current position, page by page. */
  function catchUp() {
    if (catchUpRunning) return catchUpRunning;
    catchUpRunning = (async () => {
      for (let page = 0; page < MAX_CATCH_UP_PAGES && !stopped; page++) {
        const result = await api.listMessages(session, position);
        if (stopped) return;
        const advanced = result.cursor !== position;
        position = result.cursor;
        if (result.messages.length > 0) onMessages(result.messages);
        if (result.messages.length === 0 || !advanced) return;
      }
    })().finally(() => {
      catchUpRunning = null;
    });
    return catchUpRunning;
  }

  function handleFailure(error) {
    if (stopped) return;
    if (error && error.sessionLost) {
      stop();
      onSessionLost(error);
    } else {
      onStatus('offline');
    }
  }

  function openEventSource() {
    if (stopped) return;
    if (typeof EventSource !== 'function') {
      startPolling();
      return;
    }
    mode = 'sse';
    sseErrors = 0;
    source = new EventSource(api.eventsUrl(session, position));
    source.addEventListener('open', () => {
      sseErrors = 0;
      sseRetryDelay = SSE_RETRY_MIN_MS;
      onStatus('online');
      // The server may not replay from Last-Event-ID; a GET closes any gap either way.
      catchUp().catch(handleFailure);
    });
    source.addEventListener('message', (event) => {
      let message;
      try {
        message = normalizeMessage(JSON.parse(event.data));
      } catch {
        return; // a malformed event must not break the stream
      }
      if (event.lastEventId) position = event.lastEventId;
      if (message) onMessages([message]);
    });
    source.addEventListener('error', () => {
      if (stopped || !source) return;
      sseErrors += 1;
      // CLOSED means the browser gave up (HTTP error, wrong content type); repeated errors mean a flaky path.
      if (source.readyState === EventSource.CLOSED || sseErrors >= SSE_ERRORS_BEFORE_POLLING) {
        source.close();
        source = null;
        startPolling();
        sseRetryTimer = setTimeout(retryEventSource, sseRetryDelay);
        sseRetryDelay = Math.min(sseRetryDelay * 2, SSE_RETRY_MAX_MS);
      } else {
        onStatus('offline');
      }
    });
  }

  function retryEventSource() {
    sseRetryTimer = null;
    if (stopped) return;
    stopPolling();
    openEventSource();
  }

  function startPolling() {
    if (stopped || pollTimer) return;
    mode = 'polling';
    const generation = ++pollGeneration;
    const tick = async () => {
      try {
        await catchUp();
        onStatus('online');
      } catch (error) {
        handleFailure(error);
      }
      if (!stopped && generation === pollGeneration) pollTimer = setTimeout(tick, POLL_INTERVAL_MS);
    };
    pollTimer = setTimeout(tick, 0);
  }

  function stopPolling() {
    pollGeneration += 1; // an in-flight tick of the old loop must not reschedule itself
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  function stop() {
    stopped = true;
    stopPolling();
    clearTimeout(sseRetryTimer);
    if (source) source.close();
    source = null;
  }

  openEventSource();
  return { stop, cursor: () => position, mode: () => mode };
}
