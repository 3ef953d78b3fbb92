import { describe, expect, it } from 'vitest';
import { titleFrom } from '../../src/dialog/actions.js';

describe('incident titles from what the reporter wrote', () => {
  it.each([
    ['Hi, VPN fails with error 809 since this morning when I work from home on my laptop. The whole team cannot work.', 'VPN fails with error 809 since this morning when I work from home on my laptop'],
    ['Hej! Skrivaren på plan 3 har slutat skriva ut sedan i morse.', 'Skrivaren på plan 3 har slutat skriva ut sedan i morse'],
    ['Buenos días: no puedo entrar al correo desde ayer', 'No puedo entrar al correo desde ayer'],
    ['Olá, o Wi-Fi da sala 2 caiu. Ninguém consegue trabalhar.', 'O Wi-Fi da sala 2 caiu'],
    ['Hello team\nmy laptop wont boot', 'My laptop wont boot'],
    ['Skrivaren på plan 3 skriver inte ut', 'Skrivaren på plan 3 skriver inte ut'],
    ['Outlook crashes', 'Outlook crashes'],
    ['hi', 'Hi'],
    ['Hibernation fails on my laptop after the update', 'Hibernation fails on my laptop after the update'],
  ])('%j → %j', (description, title) => {
    expect(titleFrom(description)).toBe(title);
  });

  it('cuts a long first sentence at a word, near 80 characters', () => {
    const title = titleFrom(`${'word '.repeat(40)}end`);
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title).toMatch(/^Word( word)+…$/);
  });
});
