import { describe, expect, it } from 'vitest';
import { choiceNamedBy, worthKeeping } from '../../src/dialog/choice-text.js';

const impact = [{ id: 'me', label: 'Only me' }, { id: 'team', label: 'My team' }, { id: 'many', label: 'A whole department or customers' }];
const impactSv = [{ id: 'me', label: 'Bara jag' }, { id: 'team', label: 'Mitt team' }, { id: 'many', label: 'En hel avdelning eller kunder' }];

describe('text typed at a choice question', () => {
  it.each([
    ['only me', 'me'], ["it's only me", 'me'], ['ONLY ME!', 'me'], ['my team', 'team'], ['the whole department', 'many'], ['customers too', 'many'],
    ['me', 'me'], ['bara jag', undefined], ['mitt team är drabbat', 'team'],
  ])('%s → %s', (text, id) => {
    expect(choiceNamedBy(text, impact)).toBe(id);
  });

  it('works on the labels of the reporter’s language and refuses ambiguity', () => {
    expect(choiceNamedBy('bara jag', impactSv)).toBe('me');
    expect(choiceNamedBy('hela avdelningen, kunder också', impactSv)).toBe('many');
    expect(choiceNamedBy('only me and my team', impact)).toBeUndefined();
    expect(choiceNamedBy('no idea', impact)).toBeUndefined();
  });

  it('keeps real words, not a bare "?"', () => {
    expect(worthKeeping('the CRM is down')).toBe(true);
    expect(worthKeeping('?')).toBe(false);
  });
});
