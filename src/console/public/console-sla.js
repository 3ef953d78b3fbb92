import { html } from '/console/vendor/htm-preact.js';
import { duration, t } from './console-i18n.js';

/** The SLA clock that matters now: the response clock until someone answered, then the resolution clock. */
export function slaState(i, now = Date.now()) {
  const s = i.sla;
  if (['resolved', 'closed', 'cancelled'].includes(i.status)) return { tone: 'done', text: t('met') };
  if (s.pausedSince) return { tone: 'paused', text: t('paused') };
  const due = !s.firstRespondedAt && s.responseDueAt ? s.responseDueAt : s.resolutionDueAt;
  if (!due) return { tone: 'none', text: '—' };
  const left = new Date(due).getTime() - now;
  if (left <= 0 || s.breached) return { tone: 'breached', text: t('breached', { time: duration(Math.abs(left)) }) };
  return { tone: s.warned || left < 30 * 60_000 ? 'warning' : 'ok', text: t('left', { time: duration(left) }) };
}

export const SlaClock = ({ incident }) => {
  const s = slaState(incident);
  return html`<span class=${`sla sla--${s.tone}`} data-testid="sla-clock" data-tone=${s.tone}>${s.text}</span>`;
};

export const StatusBadge = ({ status }) => html`<span class=${`badge badge--${status}`}>${t(`st_${status}`)}</span>`;
export const PriorityBadge = ({ priority }) => html`<span class=${`prio prio--${priority}`}>${priority}</span>`;
