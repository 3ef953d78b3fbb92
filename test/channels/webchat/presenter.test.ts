import { describe, expect, it } from 'vitest';
import { present } from '../../../channels/webchat/presenter.js';

const message = (author: string, text: string) => ({ id: 'm1', seq: 1, direction: 'out' as const, author, text, createdAt: new Date(0) });

describe('web chat presenter', () => {
  it('does not repeat the agent name the page already shows, in any language', () => {
    expect(present(message('agent:Maria', 'Maria on INC-000042: Please restart'), () => '').text).toBe('INC-000042: Please restart');
    expect(present(message('agent:Maria (L2)', 'Maria (L2) om INC-000042: Starta om'), () => '').text).toBe('INC-000042: Starta om');
    expect(present(message('agent:Ana', 'Ana sobre INC-000042: Reinicia'), () => '').text).toBe('INC-000042: Reinicia');
  });

  it('leaves other messages alone', () => {
    expect(present(message('bot', 'Maria on INC-000042: x'), () => '').text).toBe('Maria on INC-000042: x');
    expect(present(message('agent:Maria', 'Hello, Maria here'), () => '').text).toBe('Hello, Maria here');
  });
});
