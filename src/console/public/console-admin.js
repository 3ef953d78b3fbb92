import { html, useEffect, useState, useCallback } from '/console/vendor/htm-preact.js';
import { api } from './console-api.js';
import { formatDate, t } from './console-i18n.js';

function useLoad(path) {
  const [data, setData] = useState(undefined);
  const [error, setError] = useState('');
  const reload = useCallback(() => api(path).then((d) => { setData(d); setError(''); }, (err) => setError(t('error', { message: err.message }))), [path]);
  useEffect(() => { reload(); }, [reload]);
  return [data, reload, error];
}

/** The audit log, newest first, with the API's filters and its CSV export. */
export function AuditView() {
  const [filters, setFilters] = useState({ actor: '', action: '', target: '' });
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  const [data, , error] = useLoad(`/api/v1/admin/audit?${query}`);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value.trim() });
  return html`<section>
    <h1>${t('audit')}</h1>
    <div class="toolbar">
      <label>${t('actor')}<input onChange=${set('actor')} data-testid="audit-actor" /></label>
      <label>${t('action')}<input onChange=${set('action')} placeholder="incident." /></label>
      <label>${t('target')}<input onChange=${set('target')} placeholder="INC-000001" /></label>
      <a class="button" href=${`/api/v1/admin/audit?format=csv&${query}`} download="audit.csv">${t('downloadCsv')}</a>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <table class="grid" data-testid="audit-table">
      <thead><tr><th>${t('when')}</th><th>${t('actor')}</th><th>${t('via')}</th><th>${t('action')}</th><th>${t('target')}</th><th class="wide">before → after</th></tr></thead>
      <tbody>${(data?.items ?? []).map((e) => html`<tr data-testid="audit-row">
        <td data-label=${t('when')}>${formatDate(e.at)}</td><td data-label=${t('actor')}>${e.actor}</td><td data-label=${t('via')}>${e.via}</td>
        <td data-label=${t('action')}>${e.action}</td><td data-label=${t('target')}>${e.target ?? ''}</td>
        <td class="wide code" data-label="before → after">${e.before ? JSON.stringify(e.before) : ''}${e.before || e.after ? ' → ' : ''}${e.after ? JSON.stringify(e.after) : ''}</td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}

function Accounts() {
  const [data, reload, error] = useLoad('/api/v1/admin/accounts');
  const [message, setMessage] = useState('');
  const create = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const groups = String(f.get('groups')).split(',').map((g) => g.trim()).filter(Boolean);
    try {
      await api('/api/v1/admin/accounts', { method: 'POST', body: { email: f.get('email'), displayName: f.get('name') || undefined, role: f.get('role'), groups, password: f.get('password') || undefined } });
      e.target.reset();
      setMessage(t('saved'));
      reload();
    } catch (err) {
      setMessage(t('error', { message: err.message }));
    }
  };
  const toggle = (a) => api(`/api/v1/admin/accounts/${a.id}`, { method: 'PATCH', body: { disabled: !a.disabled } }).then(reload, (err) => setMessage(err.message));
  return html`<section class="card">
    <h2>${t('accounts')}</h2>
    ${error && html`<p class="error">${error}</p>`}
    <table class="grid"><thead><tr><th>${t('email')}</th><th>${t('name')}</th><th>${t('role')}</th><th>${t('groups')}</th><th></th></tr></thead>
      <tbody>${(data?.items ?? []).map((a) => html`<tr data-testid="account-row">
        <td data-label=${t('email')}>${a.email}</td><td data-label=${t('name')}>${a.displayName}</td><td data-label=${t('role')}>${a.role}</td>
        <td data-label=${t('groups')}>${a.groups.join(', ')}</td>
        <td><button onClick=${() => toggle(a)}>${a.disabled ? t('enable') : t('disable')}</button></td></tr>`)}</tbody></table>
    <form class="inline-form" onSubmit=${create}>
      <label>${t('email')}<input name="email" type="email" required /></label>
      <label>${t('name')}<input name="name" /></label>
      <label>${t('role')}<select name="role"><option>agent</option><option>read_only</option><option>admin</option></select></label>
      <label>${t('groups')}<input name="groups" placeholder="Service Desk, Network Operations" /></label>
      <label>${t('password')}<input name="password" type="password" minlength="12" autocomplete="new-password" /></label>
      <button class="primary" type="submit">${t('create')}</button>
    </form>
    ${message && html`<p role="status">${message}</p>`}
  </section>`;
}

function Tokens() {
  const [data, reload] = useLoad('/api/v1/admin/tokens');
  const [secret, setSecret] = useState('');
  const create = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const created = await api('/api/v1/admin/tokens', { method: 'POST', body: { name: f.get('name'), role: f.get('role') } });
    setSecret(created.token);
    reload();
  };
  return html`<section class="card">
    <h2>${t('tokens')}</h2>
    <table class="grid"><thead><tr><th>${t('name')}</th><th>${t('role')}</th><th>${t('lastActivity')}</th></tr></thead>
      <tbody>${(data?.items ?? []).map((k) => html`<tr><td data-label=${t('name')}>${k.name}</td><td data-label=${t('role')}>${k.role}</td><td data-label=${t('lastActivity')}>${formatDate(k.lastUsedAt)}</td></tr>`)}</tbody></table>
    <form class="inline-form" onSubmit=${create}>
      <label>${t('name')}<input name="name" required /></label>
      <label>${t('role')}<select name="role"><option>agent</option><option>read_only</option><option>admin</option></select></label>
      <button type="submit">${t('create')}</button>
    </form>
    ${secret && html`<p class="notice">Copy it now, it is not shown again: <code>${secret}</code></p>`}
  </section>`;
}

function DeadLetters() {
  const [data, reload] = useLoad('/api/v1/admin/outbox?status=dead');
  const retry = (id) => api(`/api/v1/admin/outbox/${id}/retry`, { method: 'POST' }).then(reload);
  return html`<section class="card">
    <h2>${t('deadLetters')}</h2>
    ${(data?.items ?? []).length === 0 ? html`<p class="muted">—</p>` : html`<table class="grid"><thead><tr><th>${t('channel')}</th><th>${t('when')}</th><th class="wide">Error</th><th></th></tr></thead>
      <tbody>${data.items.map((m) => html`<tr><td data-label=${t('channel')}>${m.channel}</td><td data-label=${t('when')}>${formatDate(m.createdAt)}</td><td class="wide" data-label="Error">${m.lastError ?? ''}</td>
        <td><button onClick=${() => retry(m.id)}>${t('retry')}</button></td></tr>`)}</tbody></table>`}
  </section>`;
}

function Health() {
  const [data, setData] = useState(undefined);
  useEffect(() => { fetch('/readyz').then((r) => r.json()).then(setData, () => setData(null)); }, []);
  return html`<section class="card">
    <h2>${t('health')}</h2>
    <ul class="health">${Object.entries(data?.checks ?? {}).map(([name, c]) => html`<li class=${c.ok ? 'ok' : 'bad'}><strong>${name.replace(/^channel:/, '')}</strong> ${c.ok ? '✓' : '✗'} <span class="muted">${c.detail ?? ''}</span></li>`)}</ul>
  </section>`;
}

export const AdminView = () => html`<div class="admin"><h1>${t('admin')}</h1><${Accounts} /><${Tokens} /><${DeadLetters} /><${Health} /></div>`;
