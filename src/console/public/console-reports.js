import { html, useEffect, useRef, useState } from '/console/vendor/htm-preact.js';
import { api } from './console-api.js';
import { t } from './console-i18n.js';

/* Chart.js is a classic script (UMD); it is loaded once, from node_modules, on the first reports visit. */
let chartLib;
function loadChart() {
  chartLib ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/console/vendor/chart.umd.min.js';
    s.onload = () => resolve(window.Chart);
    s.onerror = reject;
    document.head.append(s);
  });
  return chartLib;
}

function ChartCard({ title, type, labels, datasets, testid }) {
  const canvas = useRef(null);
  useEffect(() => {
    let chart;
    loadChart().then((Chart) => {
      chart = new Chart(canvas.current, { type, data: { labels, datasets }, options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: datasets.length > 1 } } } });
    });
    return () => chart?.destroy();
  }, [JSON.stringify({ labels, datasets })]);
  return html`<section class="card chart-card" data-testid=${testid}><h2>${title}</h2><div class="chart"><canvas ref=${canvas} role="img" aria-label=${title}></canvas></div></section>`;
}

const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10} %`);
const num = (v) => (v === null || v === undefined ? '—' : String(Math.round(v * 10) / 10));

export function ReportsView() {
  const [days, setDays] = useState(30);
  const [data, setData] = useState(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    api(`/api/v1/reports/summary?from=${from.toISOString()}&to=${to.toISOString()}`).then(setData, (err) => setError(t('error', { message: err.message })));
  }, [days]);
  const c = data?.current;
  return html`<section class="reports" data-testid="reports-page">
    <div class="toolbar"><h1>${t('reports')}</h1>
      <label>${t('period')}<select value=${days} onChange=${(e) => setDays(Number(e.target.value))}>${[7, 30, 90, 365].map((n) => html`<option value=${n}>${t('days', { n })}</option>`)}</select></label></div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${c && html`
      <div class="kpis">
        ${[['slaCompliance', pct(c.sla.compliance), pct(data.previous.sla.compliance)], ['fcr', pct(c.fcr.rate), pct(data.previous.fcr.rate)],
          ['deflection', pct(c.deflection.rate), pct(data.previous.deflection.rate)], ['csat', num(c.csat.average), num(data.previous.csat.average)],
          ['reopenRate', pct(c.reopen.rate), pct(data.previous.reopen.rate)]].map(([k, v, p]) => html`<div class="card kpi" data-testid=${`kpi-${k}`}><div class="kpi__label">${t(k)}</div><div class="kpi__value">${v}</div><div class="muted">${t('previous')}: ${p}</div></div>`)}
      </div>
      <div class="charts">
        <${ChartCard} testid="chart-volume" title=${t('volume')} type="bar" labels=${c.volume.byChannel.map((r) => r.key)} datasets=${[{ label: t('volume'), data: c.volume.byChannel.map((r) => r.count), backgroundColor: '#2f6fde' }]} />
        <${ChartCard} testid="chart-hour" title=${t('byHour')} type="line" labels=${c.volume.byHour.map((r) => r.key)} datasets=${[{ label: t('byHour'), data: c.volume.byHour.map((r) => r.count), borderColor: '#2f6fde' }]} />
        <${ChartCard} testid="chart-mttr" title=${t('mttr')} type="bar" labels=${c.mttr.byPriority.map((r) => r.key)} datasets=${[{ label: 'median', data: c.mttr.byPriority.map((r) => r.median / 60), backgroundColor: '#2f6fde' }, { label: 'p90', data: c.mttr.byPriority.map((r) => r.p90 / 60), backgroundColor: '#9ab8ef' }]} />
        <${ChartCard} testid="chart-mtta" title=${t('mtta')} type="bar" labels=${c.mtta.byPriority.map((r) => r.key)} datasets=${[{ label: 'median', data: c.mtta.byPriority.map((r) => r.median), backgroundColor: '#1d8a5b' }, { label: 'p90', data: c.mtta.byPriority.map((r) => r.p90), backgroundColor: '#8fd1b3' }]} />
        <${ChartCard} testid="chart-backlog" title=${t('backlog')} type="bar" labels=${c.backlog.map((r) => r.key)} datasets=${[{ label: t('backlog'), data: c.backlog.map((r) => r.count), backgroundColor: '#c77800' }]} />
        <${ChartCard} testid="chart-csat" title=${t('csat')} type="bar" labels=${['1', '2', '3', '4', '5']} datasets=${[{ label: t('csat'), data: [1, 2, 3, 4, 5].map((s) => c.csat.distribution[s] ?? 0), backgroundColor: '#7a4fd1' }]} />
      </div>`}
  </section>`;
}
