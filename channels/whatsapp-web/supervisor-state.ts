/**
 * The whatsapp-web.js client's life as a pure state machine: `transition(state, event) → [next, effects]`, the
 * I/O done by supervisor.ts. Detects the four ways the unofficial client dies — `disconnected`, `auth_failure`,
 * a `ready` that never comes, a page that stops answering (heartbeat) — and rebuilds with backoff. When a
 * person must scan a QR code again, it says so (health) and alerts the operators once per episode.
 */

export type Phase = 'standby' | 'starting' | 'waiting_scan' | 'ready' | 'backoff' | 'stopped';

export interface SupervisorState {
  phase: Phase;
  /** Consecutive failed builds; resets on `ready`. */
  attempt: number;
  /** Why the client is not ready (for /readyz). */
  reason?: string;
  /** The newest QR payload while waiting for a scan. */
  qr?: string;
  /** A new scan is needed (a QR was shown, the session was refused or logged out). */
  needsScan: boolean;
  /** Alerts sent so far: numbers each alert, so the host queues each once. */
  alerts: number;
}

export type SupervisorEvent =
  | { type: 'lead' }
  | { type: 'yield' }
  | { type: 'stop' }
  | { type: 'qr'; qr: string }
  | { type: 'authenticated' }
  | { type: 'ready' }
  | { type: 'auth_failure'; message: string }
  | { type: 'disconnected'; reason: string }
  | { type: 'init_failed'; message: string }
  | { type: 'ready_timeout' }
  | { type: 'heartbeat_failed'; why: string }
  | { type: 'rebuild_due' };

export type Effect =
  | { type: 'build' }
  | { type: 'destroy' }
  | { type: 'arm_ready_timer' }
  | { type: 'start_heartbeat' }
  | { type: 'schedule_rebuild'; delayMs: number }
  | { type: 'alert'; seq: number; text: string }
  | { type: 'print_qr'; qr: string }
  | { type: 'resumed' };

/** Disconnect reasons after which the phone no longer links this browser: only a new scan helps. */
const LOGGED_OUT = new Set(['LOGOUT', 'UNPAIRED', 'UNPAIRED_IDLE', 'TOS_BLOCK', 'SMB_TOS_BLOCK']);
/** After this many failed builds in a row the operators hear about it even without a QR. */
export const ALERT_AFTER_ATTEMPTS = 3;

export const initialState = (): SupervisorState => ({ phase: 'standby', attempt: 0, needsScan: false, alerts: 0 });

export function backoffDelay(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}

export function transition(state: SupervisorState, event: SupervisorEvent, baseBackoffMs: number): [SupervisorState, Effect[]] {
  const active = state.phase === 'starting' || state.phase === 'waiting_scan' || state.phase === 'ready';
  switch (event.type) {
    case 'stop':
      return [{ ...state, phase: 'stopped', reason: 'stopped' }, state.phase === 'standby' || state.phase === 'stopped' ? [] : [{ type: 'destroy' }]];
    case 'lead':
      if (state.phase !== 'standby') return [state, []];
      return [{ ...state, phase: 'starting', reason: 'starting the WhatsApp Web client' }, [{ type: 'build' }, { type: 'arm_ready_timer' }]];
    case 'yield':
      if (state.phase === 'standby' || state.phase === 'stopped') return [state, []];
      return [{ ...initialState(), alerts: state.alerts }, [{ type: 'destroy' }]];
    case 'qr': {
      if (state.phase !== 'starting' && state.phase !== 'waiting_scan') return [state, []];
      const first = !state.needsScan;
      const alerts = first ? state.alerts + 1 : state.alerts;
      const next: SupervisorState = { ...state, phase: 'waiting_scan', qr: event.qr, needsScan: true, alerts, reason: 'waiting for a QR scan: GET /api/v1/admin/whatsapp-web/qr or the terminal' };
      const effects: Effect[] = [{ type: 'print_qr', qr: event.qr }];
      if (first) effects.push({ type: 'alert', seq: alerts, text: 'WhatsApp Web needs a new QR scan: open GET /api/v1/admin/whatsapp-web/qr (admin token) or the server terminal and scan it with the phone (WhatsApp → Linked devices). Until then WhatsApp Web reporters get no answers.' });
      return [next, effects];
    }
    case 'authenticated':
      if (state.phase !== 'starting' && state.phase !== 'waiting_scan') return [state, []];
      return [{ ...state, phase: 'starting', needsScan: false, reason: 'authenticated, loading chats' }, []];
    case 'ready': {
      if (!active) return [state, []];
      const { qr: _qr, reason: _reason, ...rest } = state;
      return [{ ...rest, phase: 'ready', attempt: 0, needsScan: false }, [{ type: 'start_heartbeat' }, { type: 'resumed' }]];
    }
    case 'auth_failure':
      if (!active) return [state, []];
      return fail(state, `the stored session was refused (${event.message}); a new QR scan is needed`, baseBackoffMs, true);
    case 'disconnected':
      if (!active) return [state, []];
      return fail(state, `disconnected (${event.reason})`, baseBackoffMs, LOGGED_OUT.has(event.reason));
    case 'init_failed':
      if (state.phase !== 'starting') return [state, []];
      return fail(state, `could not start: ${event.message}`, baseBackoffMs, false);
    case 'ready_timeout':
      // A QR on screen waits for a person, not for a rebuild.
      if (state.phase !== 'starting') return [state, []];
      return fail(state, 'ready never came', baseBackoffMs, false);
    case 'heartbeat_failed':
      if (state.phase !== 'ready') return [state, []];
      return fail(state, `the page stopped answering (${event.why})`, baseBackoffMs, false);
    case 'rebuild_due':
      if (state.phase !== 'backoff') return [state, []];
      return [{ ...state, phase: 'starting' }, [{ type: 'build' }, { type: 'arm_ready_timer' }]];
  }
}

function fail(state: SupervisorState, why: string, baseBackoffMs: number, scanNeeded: boolean): [SupervisorState, Effect[]] {
  const attempt = state.attempt + 1;
  const delayMs = backoffDelay(baseBackoffMs, attempt);
  const { qr: _qr, ...rest } = state;
  const newEpisode = scanNeeded && !state.needsScan;
  const alerting = newEpisode || attempt === ALERT_AFTER_ATTEMPTS;
  const alerts = alerting ? state.alerts + 1 : state.alerts;
  const next: SupervisorState = { ...rest, phase: 'backoff', attempt, needsScan: scanNeeded || state.needsScan, alerts, reason: `${why}; rebuilding in ${Math.round(delayMs / 1000)} s (attempt ${attempt})` };
  const effects: Effect[] = [{ type: 'destroy' }, { type: 'schedule_rebuild', delayMs }];
  if (newEpisode) effects.push({ type: 'alert', seq: alerts, text: `WhatsApp Web ${why}${/QR scan/.test(why) ? '' : ': a new QR scan is needed'}. Open GET /api/v1/admin/whatsapp-web/qr (admin token) once the client has restarted and scan the code with the phone (WhatsApp → Linked devices).` });
  else if (alerting) effects.push({ type: 'alert', seq: alerts, text: `WhatsApp Web is down: ${why}, ${attempt} rebuilds in a row failed. Reporters on WhatsApp Web get no answers until it recovers.` });
  return [next, effects];
}
