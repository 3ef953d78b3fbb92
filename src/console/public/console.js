import { html, render, useEffect, useState } from '/console/vendor/htm-preact.js';
import { api, ApiError, setCsrf } from './console-api.js';
import { t } from './console-i18n.js';
import { QueueView } from './console-queue.js';
import { IncidentView } from './console-incident.js';
import { ReportsView } from './console-reports.js';
import { AuditView, AdminView } from './console-admin.js';
import { KbView } from './console-kb.js';

/** `#/queue`, `#/incident/INC-000042`, `#/reports`, `#/audit`, `#/admin`: the console is one page. */
function useRoute() {
  const read = () => location.hash.replace(/^#\/?/, '').split('/');
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    setBusy(true);
    try {
      const me = await api('/console/api/session', { method: 'POST', body: { email: form.get('email'), password: form.get('password') } });
      onSignedIn(me);
    } catch (err) {
      setError(err.status === 401 && /locked/.test(err.message) ? err.message : err.status === 401 ? t('wrongCredentials') : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <form class="card signin__form" onSubmit=${submit} data-testid="signin-form">
      <h1>${t('appTitle')}</h1>
      <label>${t('email')}<input name="email" type="email" autocomplete="username" required data-testid="signin-email" /></label>
      <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required data-testid="signin-password" /></label>
      ${error && html`<p class="error" role="alert" data-testid="signin-error">${error}</p>`}
      <button class="primary" type="submit" disabled=${busy} data-testid="signin-submit">${t('signIn')}</button>
    </form>
  </main>`;
}

function Shell({ me, onSignedOut }) {
  const [page, ...rest] = useRoute();
  const signOut = async (everywhere) => {
    await api(`/console/api/session${everywhere ? '?everywhere=true' : ''}`, { method: 'DELETE' }).catch(() => {});
    onSignedOut();
  };
  const admin = me.account.role === 'admin';
  const nav = [['queue', t('queue')], ['kb', t('kb')], ['reports', t('reports')], ...(admin ? [['audit', t('audit')], ['admin', t('admin')]] : [])];
  const current = page || 'queue';
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="topbar">
      <strong class="brand">Frontline</strong>
      <nav aria-label="Console">${nav.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${current === id || (current === 'incident' && id === 'queue') ? 'page' : undefined}>${label}</a>`)}</nav>
      <span class="me" data-testid="signed-in-as">${t('signedInAs', { name: me.account.displayName })}</span>
      <button class="link" onClick=${() => signOut(false)} data-testid="sign-out">${t('signOut')}</button>
      <button class="link" onClick=${() => signOut(true)}>${t('signOutEverywhere')}</button>
    </header>
    <main id="main" tabindex="-1">
      ${current === 'incident' ? html`<${IncidentView} number=${decodeURIComponent(rest[0] ?? '')} me=${me} />`
        : current === 'reports' ? html`<${ReportsView} />`
        : current === 'kb' ? html`<${KbView} me=${me} />`
        : current === 'audit' && admin ? html`<${AuditView} />`
        : current === 'admin' && admin ? html`<${AdminView} />`
        : html`<${QueueView} me=${me} />`}
    </main>`;
}

function App() {
  const [me, setMe] = useState(undefined);
  useEffect(() => {
    api('/console/api/session').then((m) => { setCsrf(m.csrfToken); setMe(m); }, (err) => setMe(err instanceof ApiError && err.status === 401 ? null : null));
  }, []);
  if (me === undefined) return html`<p class="loading">…</p>`;
  if (me === null) return html`<${SignIn} onSignedIn=${(m) => { setCsrf(m.csrfToken); setMe(m); }} />`;
  return html`<${Shell} me=${me} onSignedOut=${() => setMe(null)} />`;
}

document.title = t('appTitle');
render(html`<${App} />`, document.getElementById('app'));
document.documentElement.classList.add('is-ready');
