import { describe, expect, it } from 'vitest';
import { boundedEditDistance, expandQuery, Vocabulary } from '../../src/kb/query.js';
import { synonymsOf } from '../../src/kb/synonyms.js';
import { fold, FOLD_FROM, FOLD_TO, swedishDefiniteVariants, tokenize } from '../../src/kb/text.js';

describe('text normalisation', () => {
  it('folds diacritics with a table PostgreSQL translate() can use', () => {
    expect([...FOLD_FROM].length).toBe([...FOLD_TO].length);
    expect(fold('Lösenordet ÅÄÖ Contraseña Conexão Ç')).toBe('losenordet aao contrasena conexao c');
  });

  it('tokenizes hyphenated words both joined and split', () => {
    expect(tokenize('Wi-Fi e-post, VPN!')).toEqual(['wifi', 'wi', 'fi', 'epost', 'post', 'vpn']);
  });

  it('offers Swedish forms without definite suffixes', () => {
    expect(swedishDefiniteVariants('losenordet')).toContain('losenord');
    expect(swedishDefiniteVariants('kontot')).toContain('konto');
    expect(swedishDefiniteVariants('vpn')).toEqual([]);
  });
});

describe('synonyms and query expansion', () => {
  it('links IT words across languages', () => {
    expect(synonymsOf('wlan')).toEqual(expect.arrayContaining(['wifi', 'wireless', 'tradlost']));
    expect(synonymsOf('passwords')).toEqual(expect.arrayContaining(['losenord', 'contrasena', 'senha']));
    expect(synonymsOf('epost')).toEqual(expect.arrayContaining(['email', 'correo', 'mail']));
    expect(synonymsOf('banana')).toEqual([]);
  });

  it('weights the user\'s words above synonyms and corrects typos against the KB vocabulary', () => {
    const vocab = new Vocabulary(new Map([['password', 30], ['printer', 10]]));
    const terms = expandQuery('Pasword reset', vocab);
    const weight = (t: string) => terms.find((x) => x.term === t)?.weight;
    expect(weight('pasword')).toBe(1);
    expect(weight('password')).toBeGreaterThan(weight('losenord') ?? 0);
    expect(weight('losenord')).toBeGreaterThan(0);
  });

  it('computes bounded edit distance with transpositions', () => {
    expect(boundedEditDistance('outlok', 'outlook', 2)).toBe(1);
    expect(boundedEditDistance('pritner', 'printer', 2)).toBe(1);
    expect(boundedEditDistance('abc', 'xyzxyz', 2)).toBe(3);
  });
});
