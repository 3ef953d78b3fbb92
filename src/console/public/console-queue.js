import { html, useEffect, useState, useCallback } from '/console/vendor/htm-preact.js';
import { api } from './console-api.js';
import { ago, t } from './console-i18n.js';
import { PriorityBadge, SlaClock, StatusBadge } from './console-sla.js';

const FILTERS = ['status', 'priority', 'assignee', 'group', 'channel', 'q'];
const SAVED = 'frontline.console.queue';

/** The queue: filters (kept in the browser as the last view), SLA clocks, live refresh over SSE. */
export function QueueView() {
  const [filters, setFilters] = useState(() => ({ status: 'open', ...JSON.parse(localStorage.getItem(SAVED) ?? '{}') }));
  const [items, setItems] = useState(undefined);
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const load = useCallback(async () => {
    const query = new URLSearchParams(Object.entries(filters).filter(([k, v]) => FILTERS.includes(k) && v));
    try {
      setItems((await api(`/console/api/queue?${query}`)).items);
      setError('');
    } catch (err) {
      setError(t('error', { message: err.message }));
    }
  }, [filters]);
  useEffect(() => {
    load();
    localStorage.setItem(SAVED, JSON.stringify(filters));
  }, [load]);
  useEffect(() => {
    const events = new EventSource('/console/api/events');
    // (Re)connected: whatever changed while the stream was down is read again.
    events.addEventListener('open', () => { setLive(true); load(); });
    events.addEventListener('error', () => setLive(false));
    events.addEventListener('changed', () => load());
    return () => events.close();
  }, [load]);
  // The clocks move even when nothing changes.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  const set = (key) => (e) => setFilters({ ...filters, [key]: e.target.value });
  const select = (key, options) => html`<label>${t(key === 'q' ? 'search' : key)}<select value=${filters[key] ?? ''} onChange=${set(key)} data-testid=${`filter-${key}`}>
    ${options.map(([v, label]) => html`<option value=${v}>${label}</option>`)}</select></label>`;
  return html`<section class="queue">
    <div class="toolbar" role="search">
      ${select('status', [['open', t('open')], ['all', t('all')], ...['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'].map((s) => [s, t(`st_${s}`)])])}
      ${select('priority', [['', t('any')], ...['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => [p, p])])}
      ${select('assignee', [['', t('any')], ['mine', t('mine')], ['unassigned', t('unassigned')]])}
      ${select('channel', [['', t('any')], ...['webchat', 'email', 'slack', 'teams', 'whatsapp'].map((c) => [c, c])])}
      <label>${t('group')}<input value=${filters.group ?? ''} onChange=${set('group')} data-testid="filter-group" /></label>
      <label class="grow">${t('search')}<input type="search" value=${filters.q ?? ''} onChange=${set('q')} data-testid="filter-q" /></label>
      <span class=${`live ${live ? 'live--on' : ''}`} title=${t('live')} aria-live="polite">${live ? `● ${t('live')}` : '○'}</span>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${items === undefined ? html`<p class="loading">…</p>` : items.length === 0 ? html`<p class="empty">${t('noIncidents')}</p>` : html`
    <table class="grid" data-testid="queue-table">
      <thead><tr><th>${t('number')}</th><th>${t('priority')}</th><th class="wide">${t('title')}</th><th>${t('status')}</th><th>${t('sla')}</th><th>${t('assignee')}</th><th>${t('channel')}</th><th>${t('lastActivity')}</th></tr></thead>
      <tbody>${items.map((i) => html`<tr data-testid="queue-row" data-number=${i.number}>
        <td data-label=${t('number')}><a href=${`#/incident/${i.number}`}>${i.number}</a></td>
        <td data-label=${t('priority')}><${PriorityBadge} priority=${i.priority} /></td>
        <td class="wide" data-label=${t('title')}>${i.confidential ? html`<span class="lock" title=${t('confidential')}>🔒 </span>` : ''}<a href=${`#/incident/${i.number}`} class="title-link">${i.title}</a></td>
        <td data-label=${t('status')}><${StatusBadge} status=${i.status} /></td>
        <td data-label=${t('sla')}><${SlaClock} incident=${i} /></td>
        <td data-label=${t('assignee')}>${i.assignee ?? '—'}${i.assignmentGroup ? html`<div class="muted">${i.assignmentGroup}</div>` : ''}</td>
        <td data-label=${t('channel')}>${i.channel ?? '—'}</td>
        <td data-label=${t('lastActivity')}><time datetime=${i.updatedAt}>${ago(i.updatedAt)}</time></td>
      </tr>`)}</tbody>
    </table>`}
  </section>`;
}
