import { html, useEffect, useState, useCallback } from '/console/vendor/htm-preact.js';
import { api } from './console-api.js';
import { formatDate, t } from './console-i18n.js';
import { PriorityBadge, SlaClock, StatusBadge } from './console-sla.js';

const Message = ({ m }) => html`<li class=${`msg msg--${m.kind}`} data-testid="transcript-item" data-kind=${m.kind}>
  <div class="msg__meta">
    <strong>${m.kind === 'reporter' ? t('reporter') : m.kind === 'bot' ? t('bot') : m.author.replace(/^agent:/, '')}</strong>
    ${m.kind === 'note' ? html`<span class="tag">${t('internal')}</span>` : ''}
    ${m.channel ? html`<span class="muted">${m.channel}</span>` : ''}
    <time class="muted" datetime=${m.at}>${formatDate(m.at)}</time>
    ${m.delivery ? html`<span class=${`delivery delivery--${m.delivery}`} data-testid="delivery" title=${m.error ?? ''}>${t(m.delivery)}</span>` : ''}
  </div>
  <div class="msg__text">${m.text}</div>
</li>`;

/** One incident: the conversation across channels, the timeline, SLA, and the agent's actions. */
export function IncidentView({ number, me }) {
  const [incident, setIncident] = useState(undefined);
  const [items, setItems] = useState([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const agent = me.account.role !== 'read_only';
  const load = useCallback(async () => {
    try {
      const [i, tr] = await Promise.all([api(`/api/v1/incidents/${encodeURIComponent(number)}`), api(`/console/api/incidents/${encodeURIComponent(number)}/transcript`)]);
      setIncident(i);
      setItems(tr.items);
    } catch (err) {
      setIncident(null);
      setError(err.status === 404 ? t('notFound') : t('error', { message: err.message }));
    }
  }, [number]);
  useEffect(() => { load(); }, [load]);
  useEffect(() => {
    const events = new EventSource('/console/api/events');
    events.addEventListener('changed', () => load());
    return () => events.close();
  }, [load]);

  const act = async (fn) => {
    setError('');
    try {
      await fn();
      setNotice(t('saved'));
      await load();
    } catch (err) {
      setError(t('error', { message: err.message }));
    }
  };
  const patch = (body) => act(() => api(`/api/v1/incidents/${encodeURIComponent(number)}`, { method: 'PATCH', body }));
  const comment = (internal) => (e) => {
    e.preventDefault();
    const form = e.target;
    const text = new FormData(form).get('text').trim();
    if (!text) return;
    act(async () => {
      await api(`/api/v1/incidents/${encodeURIComponent(number)}/comments`, { method: 'POST', body: { text, internal } });
      form.reset();
    });
  };
  const resolve = (e) => {
    e.preventDefault();
    const resolution = new FormData(e.target).get('resolution').trim();
    if (!resolution) return setError(t('resolutionRequired'));
    patch({ status: 'resolved', resolution });
  };

  if (incident === undefined) return html`<p class="loading">…</p>`;
  if (incident === null) return html`<p><a href="#/queue">← ${t('back')}</a></p><p class="error" role="alert" data-testid="incident-error">${error}</p>`;
  const open = !['resolved', 'closed', 'cancelled'].includes(incident.status);
  return html`<article class="incident" data-testid="incident-page">
    <p><a href="#/queue">← ${t('back')}</a></p>
    <header class="incident__head">
      <h1><span class="muted">${incident.number}</span> <span data-testid="incident-title">${incident.title}</span></h1>
      <div class="chips"><${PriorityBadge} priority=${incident.priority} /> <${StatusBadge} status=${incident.status} /> <${SlaClock} incident=${{ ...incident, sla: { ...incident.sla, warned: Boolean(incident.sla.resolutionWarnedAt), breached: Boolean(incident.sla.resolutionBreachedAt) } }} />
        ${incident.confidential ? html`<span class="tag">🔒 ${t('confidential')}</span>` : ''}</div>
    </header>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${notice && !error && html`<p class="notice" role="status">${notice}</p>`}
    <div class="incident__body">
      <section class="incident__main" aria-label=${t('transcript')}>
        <h2>${t('transcript')}</h2>
        <p class="description">${incident.description}</p>
        <ol class="transcript" data-testid="transcript">${items.map((m) => html`<${Message} m=${m} />`)}</ol>
        ${agent && html`
          <form class="composer" onSubmit=${comment(false)}>
            <label for="reply">${t('reply')}</label>
            <textarea id="reply" name="text" rows="3" maxlength="20000" data-testid="reply-text"></textarea>
            <button class="primary" type="submit" data-testid="reply-send">${t('send')}</button>
          </form>
          <form class="composer composer--note" onSubmit=${comment(true)}>
            <label for="note">${t('note')}</label>
            <textarea id="note" name="text" rows="2" maxlength="20000" data-testid="note-text"></textarea>
            <button type="submit" data-testid="note-send">${t('addNote')}</button>
          </form>`}
      </section>
      <aside class="incident__side">
        <dl class="facts">
          <dt>${t('assignee')}</dt><dd data-testid="incident-assignee">${incident.assignee ?? '—'}</dd>
          <dt>${t('group')}</dt><dd>${incident.assignmentGroup ?? '—'}</dd>
          <dt>${t('category')}</dt><dd>${incident.category ?? '—'}${incident.service ? ` / ${incident.service}` : ''}</dd>
          <dt>${t('responseDue')}</dt><dd>${formatDate(incident.sla.responseDueAt)}</dd>
          <dt>${t('resolutionDue')}</dt><dd>${formatDate(incident.sla.resolutionDueAt)}</dd>
          ${incident.resolution ? html`<dt>${t('resolution')}</dt><dd>${incident.resolution}</dd>` : ''}
        </dl>
        ${agent && open && html`<div class="actions">
          <button onClick=${() => patch({ assignee: me.account.displayName })} data-testid="action-take">${t('take')}</button>
          ${incident.status !== 'in_progress' && html`<button onClick=${() => patch({ status: 'in_progress' })} data-testid="action-start">${t('start')}</button>`}
          ${incident.status !== 'pending' && html`<button onClick=${() => patch({ status: 'pending' })} data-testid="action-pending">${t('pending')}</button>`}
          <label>${t('setPriority')}<select value=${incident.priority} onChange=${(e) => patch({ priority: e.target.value })} data-testid="action-priority">
            ${['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => html`<option value=${p}>${p}</option>`)}</select></label>
          <form onSubmit=${(e) => { e.preventDefault(); const a = new FormData(e.target).get('assignee').trim(); if (a) patch({ assignee: a }); }}>
            <label>${t('assignTo')}<input name="assignee" data-testid="action-assignee" /></label><button type="submit">${t('assign')}</button>
          </form>
          <form class="resolve" onSubmit=${resolve}>
            <label for="resolution">${t('resolution')}</label>
            <textarea id="resolution" name="resolution" rows="2" data-testid="resolution-text"></textarea>
            <button class="primary" type="submit" data-testid="action-resolve">${t('resolve')}</button>
          </form>
        </div>`}
        <h2>${t('timeline')}</h2>
        <ol class="timeline" data-testid="timeline">${incident.timeline.map((e) => html`<li><time datetime=${e.createdAt}>${formatDate(e.createdAt)}</time> <strong>${e.type.replaceAll('_', ' ')}</strong> <span class="muted">${e.actor}</span>${e.internal ? html` <span class="tag">${t('internal')}</span>` : ''}</li>`)}</ol>
      </aside>
    </div>
  </article>`;
}
