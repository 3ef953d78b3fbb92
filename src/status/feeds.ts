import { escapeHtml, type StatusView } from './render.js';
import { STATUS_STRINGS } from './locales.js';

/** One entry per published update of the incidents on the page (already filtered by the policy). */
function entries(view: StatusView) {
  const t = STATUS_STRINGS[view.language];
  return view.incidents
    .flatMap((i) => i.updates.map((u, n) => ({ id: `${i.number}-${u.at.getTime()}-${n}`, title: `${i.number} ${i.title}: ${t.updateStatus[u.status]}`, text: u.text, at: u.at })))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

export function renderAtom(view: StatusView, baseUrl: string): string {
  const e = escapeHtml;
  const t = STATUS_STRINGS[view.language];
  const items = entries(view);
  const updated = (items[0]?.at ?? view.generatedAt).toISOString();
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${view.language}">
<title>${e(t.title)}</title>
<id>${e(`${baseUrl}/status`)}</id>
<link rel="alternate" href="${e(`${baseUrl}/status?lang=${view.language}`)}"/>
<link rel="self" href="${e(`${baseUrl}/status/feed.atom?lang=${view.language}`)}"/>
<updated>${updated}</updated>
${items.map((i) => `<entry><id>${e(`${baseUrl}/status#${i.id}`)}</id><title>${e(i.title)}</title><updated>${i.at.toISOString()}</updated><author><name>Service desk</name></author><content type="text">${e(i.text)}</content></entry>`).join('\n')}
</feed>`;
}

export function renderRss(view: StatusView, baseUrl: string): string {
  const e = escapeHtml;
  const t = STATUS_STRINGS[view.language];
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>${e(t.title)}</title><link>${e(`${baseUrl}/status?lang=${view.language}`)}</link><description>${e(t.title)}</description><language>${view.language}</language>
${entries(view).map((i) => `<item><guid isPermaLink="false">${e(i.id)}</guid><title>${e(i.title)}</title><description>${e(i.text)}</description><pubDate>${i.at.toUTCString()}</pubDate></item>`).join('\n')}
</channel></rss>`;
}
