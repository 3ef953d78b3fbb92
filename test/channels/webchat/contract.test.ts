import { TerminalAdapter } from '../../../channels/terminal/adapter.js';
import { WebchatAdapter } from '../../../channels/webchat/adapter.js';
import { channelContract } from '../contract.js';

const settings = { secret: 'x'.repeat(40), maxAttachmentBytes: 1024, tokenTtlDays: 1, title: 'IT help', locales: ['en'], pollMs: 1000 };
channelContract('webchat', () => new WebchatAdapter(settings), {
  references: [{ visitor: '6f1c2b1e-1111-4222-8333-444455556666' }, { visitor: 'abc' }],
  foreignKeys: ['slack:T1:C1:1712.33', 'webchat:', 'webchat:a:b'],
});
channelContract('terminal', () => new TerminalAdapter('alice', () => {}), {
  references: [{ session: 'alice' }, { session: 'bob:1712000000' }],
  foreignKeys: ['webchat:abc', 'terminal:'],
});
