import { html, useEffect, useState, useCallback } from '/console/vendor/htm-preact.js';
import { api } from './console-api.js';
import { formatDate, t } from './console-i18n.js';

const LANGUAGES = ['en', 'sv', 'es', 'pt'];
const CATEGORIES = ['network', 'account_access', 'email_calendar', 'hardware', 'software', 'security'];

/** The knowledge base: list and search per language, edit or write an article (Markdown), per-article figures. */
export function KbView({ me }) {
  const [filters, setFilters] = useState({ q: '', language: '' });
  const [items, setItems] = useState([]);
  const [editing, setEditing] = useState(undefined);
  const [message, setMessage] = useState({ text: '', error: false });
  const canEdit = me.account.role !== 'read_only';
  const load = useCallback(() => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    return api(`/api/v1/kb/articles?${query}`).then((d) => setItems(d.items), (err) => setMessage({ text: t('error', { message: err.message }), error: true }));
  }, [filters]);
  useEffect(() => { load(); }, [load]);
  const open = async (id) => setEditing(await api(`/api/v1/kb/articles/${encodeURIComponent(id)}`));
  const save = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const id = String(f.get('id')).trim();
    const tags = String(f.get('tags')).split(',').map((x) => x.trim()).filter(Boolean);
    try {
      await api(`/api/v1/kb/articles/${encodeURIComponent(id)}`, { method: 'PUT', body: { title: f.get('title'), body: f.get('body'), language: f.get('language'), category: f.get('category') || null, tags } });
      setMessage({ text: t('saved'), error: false });
      setEditing(undefined);
      load();
    } catch (err) {
      setMessage({ text: t('error', { message: err.message }), error: true });
    }
  };
  return html`<section class="kb" data-testid="kb-page">
    <div class="toolbar"><h1>${t('kb')}</h1>
      <label>${t('language')}<select onChange=${(e) => setFilters({ ...filters, language: e.target.value })}><option value="">${t('any')}</option>${LANGUAGES.map((l) => html`<option value=${l}>${l}</option>`)}</select></label>
      <label class="grow">${t('search')}<input type="search" onChange=${(e) => setFilters({ ...filters, q: e.target.value.trim() })} data-testid="kb-search" /></label>
      ${canEdit && html`<button onClick=${() => setEditing({ id: '', title: '', body: '', language: 'en', category: null, tags: [] })} data-testid="kb-new">${t('newArticle')}</button>`}
    </div>
    ${message.text && html`<p role=${message.error ? 'alert' : 'status'} class=${message.error ? 'error' : 'notice'}>${message.text}</p>`}
    ${editing && html`<form class="card kb-editor" key=${editing.id || 'new'} onSubmit=${save} data-testid="kb-editor">
      <div class="inline-form">
        <label>Id<input name="id" defaultValue=${editing.id} readonly=${Boolean(editing.createdAt)} required pattern="[a-z0-9][a-z0-9._\\-]*" /></label>
        <label>${t('language')}<select name="language">${LANGUAGES.map((l) => html`<option value=${l} selected=${l === editing.language}>${l}</option>`)}</select></label>
        <label>${t('category')}<select name="category"><option value="">—</option>${CATEGORIES.map((c) => html`<option value=${c} selected=${c === editing.category}>${c}</option>`)}</select></label>
        <label>Tags<input name="tags" defaultValue=${editing.tags.join(', ')} /></label>
      </div>
      <label>${t('title')}<input name="title" defaultValue=${editing.title} required data-testid="kb-title" /></label>
      <label>Markdown<textarea name="body" rows="14" required data-testid="kb-body" defaultValue=${editing.body}></textarea></label>
      <div><button class="primary" type="submit" data-testid="kb-save">${t('save')}</button> <button type="button" onClick=${() => setEditing(undefined)}>${t('cancel')}</button></div>
    </form>`}
    <table class="grid" data-testid="kb-table">
      <thead><tr><th class="wide">${t('title')}</th><th>${t('language')}</th><th>${t('category')}</th><th>${t('kbFigures')}</th><th>${t('lastActivity')}</th></tr></thead>
      <tbody>${items.map((a) => html`<tr data-testid="kb-row">
        <td class="wide" data-label=${t('title')}><button class="link" onClick=${() => open(a.id)}>${a.title}</button><div class="muted">${a.id}</div></td>
        <td data-label=${t('language')}>${a.language}</td><td data-label=${t('category')}>${a.category ?? '—'}</td>
        <td data-label=${t('kbFigures')}>${a.suggested} / ${a.opened} / ${a.helped}</td>
        <td data-label=${t('lastActivity')}>${formatDate(a.updatedAt)}</td></tr>`)}</tbody>
    </table>
  </section>`;
}
