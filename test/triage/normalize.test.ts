import { describe, expect, it } from 'vitest';
import { normalizeText, repairMojibake, tokenize } from '../../src/triage/normalize.js';

describe('normalizeText', () => {
  it('lowercases, strips accents and folds letters without decompositions', () => {
    expect(normalizeText('Lösenord  NÃO Ñandú Ørsted Straße')).toBe('losenord nao nandu orsted strasse');
  });

  it('applies NFKC so full-width and ligature forms match plain text', () => {
    expect(normalizeText('ＶＰＮ ﬁle')).toBe('vpn file');
  });

  it('drops quoted reply lines, URLs, e-mail addresses and long digit runs', () => {
    const mail = 'VPN is down again\n> On Monday you wrote:\n> old text\nsee https://intra.example.com/x?y=1 or mail ola@example.se, case 1234567';
    expect(normalizeText(mail)).toBe('vpn is down again see or mail , case');
  });

  it('repairs UTF-8 that was decoded as Latin-1, and leaves genuine Latin-1 alone', () => {
    const broken = Buffer.from('Não consigo imprimir på skrivaren', 'utf8').toString('latin1');
    expect(repairMojibake(broken)).toBe('Não consigo imprimir på skrivaren');
    expect(repairMojibake('Ã la carte')).toBe('Ã la carte');
  });

  it('removes replacement and control characters from broken input', () => {
    expect(normalizeText('pa\uFFFDssword\u0000 reset')).toBe('pa ssword reset');
    expect(tokenize(normalizeText('😀😀'))).toEqual([]);
  });
});
