import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractVisibleText } from '../../../channels/email/reply-text.js';
import { htmlReplyToText } from '../../../channels/email/html-text.js';
import { fixtureFiles, scoreSet } from './reply-accuracy.js';
import { hasShared, missingShared, replySets } from './shared-fixtures.js';

if (!hasShared) console.warn(missingShared);

describe.skipIf(!hasShared)('visible-reply accuracy on the shared reply fixtures', () => {
  // Floors sit just under the measured result (crisp 41/41 sentinel, 159/159 clean) so a regression fails.
  it.each([
    ['crisp', replySets.crisp, 0.95, 0.97],
    ['github', replySets.github, 0, 0.95],
    ['multilang', replySets.multilang, 0, 0.95],
  ] as const)('%s', (set, dir, sentinelFloor, cleanFloor) => {
    const score = scoreSet(set, dir, (t) => extractVisibleText(t));
    const sentinel = score.sentinelFiles === 0 ? 1 : score.sentinelExact / score.sentinelFiles;
    const clean = score.clean / score.files;
    console.info(`${set}: sentinel ${score.sentinelExact}/${score.sentinelFiles}, clean ${score.clean}/${score.files}`);
    expect(score.files).toBeGreaterThan(10);
    expect(sentinel, score.failures.join('\n')).toBeGreaterThanOrEqual(sentinelFloor);
    expect(clean, score.failures.join('\n')).toBeGreaterThanOrEqual(cleanFloor);
  });

  it('handles every fixture fast, including the 767 KB long quote', () => {
    const files = Object.values(replySets).flatMap(fixtureFiles);
    const started = performance.now();
    for (const file of files) extractVisibleText(readFileSync(file, 'utf8'));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(files.some((f) => path.basename(f) === 'email_long_quote.txt')).toBe(true);
  });
});

describe('visible-reply extraction per client and language', () => {
  const cases: [string, string, string][] = [
    ['en Gmail', 'Printer jammed again.\n\nOn Mon, Mar 3, 2025 at 5:00 PM IT Support <it@x.com> wrote:\n> Is it fixed?\n', 'Printer jammed again.'],
    ['sv Gmail', 'Skärmen är svart.\n\nDen mån 3 mars 2025 kl 17:00 skrev IT Support <it@x.se>:\n> Fungerar det?\n', 'Skärmen är svart.'],
    ['sv Apple', 'Fortfarande trasig.\n\n> 3 mars 2025 kl. 17:00 skrev IT Support <it@x.se>:\n>\n> Hej\n', 'Fortfarande trasig.'],
    ['es Gmail', 'No funciona.\n\nEl lun, 3 mar 2025 a las 17:00, Soporte (<it@x.es>) escribió:\n> ¿Funciona?\n', 'No funciona.'],
    ['pt Gmail', 'Ainda não.\n\nEm seg., 3 de mar. de 2025 às 17:00, Suporte <it@x.pt> escreveu:\n> Funciona?\n', 'Ainda não.'],
    ['de Gmail', 'Geht immer noch nicht.\n\nAm Mo., 3. März 2025 um 17:00 Uhr schrieb Support <it@x.de>:\n> Geht es?\n', 'Geht immer noch nicht.'],
    ['fr Gmail', 'Toujours en panne.\n\nLe lun. 3 mars 2025 à 17:00, Support <it@x.fr> a écrit :\n> Ça marche ?\n', 'Toujours en panne.'],
    ['sv Outlook', 'Det gäller plan 3.\n\nFrån: IT Support <it@x.se>\nSkickat: den 3 mars 2025 17:00\nTill: Anna <anna@x.se>\nÄmne: Skrivare\n\nVilket plan?', 'Det gäller plan 3.'],
    ['es Outlook', 'Es en la planta 2.\n\nDe: Soporte <it@x.es>\nEnviado: lunes, 3 de marzo de 2025 17:00\nPara: Carlos\nAsunto: Impresora\n\n¿Qué planta?', 'Es en la planta 2.'],
    ['de Outlook', 'Im 2. Stock.\n\nVon: Support <it@x.de>\nGesendet: Montag, 3. März 2025 17:00\nAn: Klaus\nBetreff: Drucker\n\nWelcher Stock?', 'Im 2. Stock.'],
    ['fr Outlook', 'Au 2e étage.\n\nDe : Support <it@x.fr>\nEnvoyé : lundi 3 mars 2025 17:00\nÀ : Jean\nObjet : Imprimante\n\nQuel étage ?', 'Au 2e étage.'],
    ['Original Message', 'See below.\n\n-----Original Message-----\nFrom: a@b.c\nSent: today\n\nold', 'See below.'],
    ['sv iPhone footer', 'Den startar inte.\n\nSkickat från min iPhone', 'Den startar inte.'],
    ['es mobile footer', 'No arranca.\n\nEnviado desde mi iPhone', 'No arranca.'],
    ['sig delimiter', 'VPN drops every hour.\n\n-- \nAnna Ström\nFinance', 'VPN drops every hour.'],
    ['sentence starting "Sent from my"', 'Sent from my laptop at home, the VPN fails.', 'Sent from my laptop at home, the VPN fails.'],
    ['"wrote" in prose', 'Bob wrote: the server is down\nPlease help.', 'Bob wrote: the server is down\nPlease help.'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(extractVisibleText(input)).toBe(expected);
  });

  it('keeps interleaved answers and drops the quoted questions', () => {
    const text = 'On Mon, Mar 3, 2025, IT <it@x.com> wrote:\n> Which floor?\n\nFloor 3.\n\n> Which printer?\n\nThe big one.';
    expect(extractVisibleText(text)).toBe('Floor 3.\n\nThe big one.');
  });

  it('falls back to the forwarded message when nothing was written above it', () => {
    const text = '---------- Forwarded message ---------\nFrom: Alerts <alerts@x.com>\nDate: Mon, 3 Mar 2025\nSubject: Disk full\nTo: me\n\nDisk /var is 100% full on db-1.';
    expect(extractVisibleText(text)).toBe('Disk /var is 100% full on db-1.');
  });
});

describe('HTML replies', () => {
  it.each([
    ['Gmail gmail_quote', '<div>Still broken.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, X wrote:</div><blockquote class="gmail_quote">old</blockquote></div>', 'Still broken.'],
    ['Apple blockquote type=cite', '<div>Still broken.</div><blockquote type="cite"><div>old question</div></blockquote>', 'Still broken.'],
    ['Outlook divRplyFwdMsg', '<div>Still broken.</div><hr style="display:inline-block"><div id="divRplyFwdMsg"><b>From:</b> IT</div><div>old question</div>', 'Still broken.'],
    ['Outlook appendonsend', '<div>Still broken.</div><div id="appendonsend"></div><div>From: IT<br>Sent: today</div><div>old question</div>', 'Still broken.'],
    ['Thunderbird moz-cite-prefix', '<p>Still broken.</p><div class="moz-cite-prefix">On 03/03/2025 IT wrote:</div><blockquote type="cite">old</blockquote>', 'Still broken.'],
  ])('%s', (_name, html, expected) => {
    expect(extractVisibleText(htmlReplyToText(html))).toBe(expected);
  });
});
