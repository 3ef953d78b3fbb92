import { STATUS_LANGUAGES, STATUS_STRINGS, type StatusLanguage } from './locales.js';
import type { UptimeDay } from './uptime.js';

export type ServiceState = 'operational' | 'degraded' | 'outage' | 'maintenance';
export type UpdateStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

/** What the page shows, already filtered by the confidentiality policy (nothing restricted gets here). */
export interface StatusView {
  language: StatusLanguage;
  generatedAt: Date;
  services: { id: string; name: string; state: ServiceState; uptimePercent: number; days: UptimeDay[] }[];
  incidents: { number: string; title: string; serviceName: string; status: UpdateStatus; since: Date; updates: { status: UpdateStatus; text: string; at: Date }[] }[];
  maintenance: { serviceName: string; title: string; startsAt: Date; endsAt: Date }[];
  /** Set after a subscribe form was sent. */
  notice?: string;
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LOCALE_TAGS: Record<StatusLanguage, string> = { en: 'en-GB', sv: 'sv-SE', es: 'es-ES', pt: 'pt-PT' };

function when(d: Date, language: StatusLanguage): string {
  return new Intl.DateTimeFormat(LOCALE_TAGS[language], { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d) + ' UTC';
}

/** The whole page: server-rendered, no script, one stylesheet, so it works on any intranet and under a strict CSP. */
export function renderStatusPage(view: StatusView): string {
  const t = STATUS_STRINGS[view.language];
  const lang = view.language;
  const affected = view.services.some((s) => s.state !== 'operational');
  const e = escapeHtml;
  const services = view.services.map((s) => {
    const bars = s.days.map((d, i) => {
      const back = s.days.length - 1 - i;
      const ago = back === 0 ? t.today : t.daysAgo(back);
      return `<li class="bar bar-${d.state}" title="${e(`${d.date}: ${t.uptimeDay[d.state]}`)}"><span class="visually-hidden">${e(`${ago}: ${t.uptimeDay[d.state]}`)}</span></li>`;
    }).join('');
    return `<li class="service">
  <div class="service-head"><h3>${e(s.name)}</h3><span class="state state-${s.state}">${e(t.state[s.state])}</span></div>
  <p class="uptime-label">${e(t.uptime(s.uptimePercent.toFixed(2)))}</p>
  <ol class="bars" aria-label="${e(t.uptime(s.uptimePercent.toFixed(2)))}">${bars}</ol>
  <div class="bars-legend" aria-hidden="true"><span>${e(t.daysAgo(90))}</span><span>${e(t.today)}</span></div>
</li>`;
  }).join('\n');
  const incidents = view.incidents.length
    ? view.incidents.map((i) => `<article class="incident" aria-labelledby="mi-${e(i.number)}">
  <h3 id="mi-${e(i.number)}">${e(i.title)} <span class="mi-number">${e(i.number)}</span></h3>
  <p class="meta"><span class="update-status status-${i.status}">${e(t.updateStatus[i.status])}</span> · ${e(t.affects)} ${e(i.serviceName)}</p>
  <ol class="updates">${i.updates.map((u) => `<li><p><strong>${e(t.updateStatus[u.status])}</strong> — ${e(u.text)}</p><p class="meta"><time datetime="${u.at.toISOString()}">${e(when(u.at, lang))}</time></p></li>`).join('')}</ol>
</article>`).join('\n')
    : `<p class="empty">${e(t.noActiveIncidents)}</p>`;
  const maintenance = view.maintenance.length
    ? `<ul class="maintenance">${view.maintenance.map((m) => `<li><strong>${e(m.title)}</strong> — ${e(m.serviceName)}<br><span class="meta">${e(t.from)} <time datetime="${m.startsAt.toISOString()}">${e(when(m.startsAt, lang))}</time> ${e(t.until)} <time datetime="${m.endsAt.toISOString()}">${e(when(m.endsAt, lang))}</time></span></li>`).join('')}</ul>`
    : `<p class="empty">${e(t.noMaintenance)}</p>`;
  const options = view.services.map((s) => `<option value="${e(s.id)}">${e(s.name)}</option>`).join('');
  const languages = STATUS_LANGUAGES.map((l) => `<li><a href="?lang=${l}" hreflang="${l}" lang="${l}"${l === lang ? ' aria-current="true"' : ''}>${l.toUpperCase()}</a></li>`).join('');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(t.title)}</title>
<link rel="stylesheet" href="/status/status.css">
<link rel="icon" href="/status/favicon.svg" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="/status/feed.atom?lang=${lang}">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/status/feed.rss?lang=${lang}">
</head>
<body>
<a class="skip" href="#main">${e(t.skip)}</a>
<header class="top">
  <h1>${e(t.title)}</h1>
  <nav aria-label="${e(t.language)}"><ul class="languages">${languages}</ul></nav>
</header>
<main id="main">
  ${view.notice ? `<p class="notice" role="status">${e(view.notice)}</p>` : ''}
  <p class="summary ${affected ? 'summary-affected' : 'summary-ok'}" role="status">${e(affected ? t.someAffected : t.allOperational)}</p>
  <section aria-labelledby="h-incidents"><h2 id="h-incidents">${e(t.activeIncidents)}</h2>${incidents}</section>
  <section aria-labelledby="h-services"><h2 id="h-services">${e(t.services)}</h2><ul class="services">${services}</ul></section>
  <section aria-labelledby="h-maintenance"><h2 id="h-maintenance">${e(t.maintenance)}</h2>${maintenance}</section>
  <section aria-labelledby="h-subscribe"><h2 id="h-subscribe">${e(t.subscribe)}</h2>
    <form class="subscribe" method="post" action="/status/subscribe">
      <input type="hidden" name="lang" value="${lang}">
      <label for="sub-email">${e(t.email)}</label>
      <input id="sub-email" name="email" type="email" autocomplete="email" required>
      <label for="sub-service">${e(t.service)}</label>
      <select id="sub-service" name="service"><option value="*">${e(t.allServices)}</option>${options}</select>
      <button type="submit">${e(t.subscribeButton)}</button>
      <p class="help">${e(t.subscribeHelp)}</p>
    </form>
  </section>
</main>
<footer><p>${e(t.updated)} <time datetime="${view.generatedAt.toISOString()}">${e(when(view.generatedAt, lang))}</time> · ${e(t.feeds)}: <a href="/status/feed.atom?lang=${lang}">Atom</a> · <a href="/status/feed.rss?lang=${lang}">RSS</a> · <a href="/status.json">JSON</a></p></footer>
</body>
</html>`;
}
