import type { InboundMessage } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import type { ConversationContext } from '../dialog/runner.js';
import { enqueueMessage } from '../outbox/enqueue.js';
import type { ServiceCatalog } from '../services/catalog.js';
import { toLanguage } from '../broadcast/messages.js';
import { parseSubscriptionCommand } from './commands.js';
import { resolveServiceId, subscribeConversation, unsubscribeConversation } from './service.js';

const WORDS = {
  en: { on: (s: string) => `You will get updates about ${s} here. Write "unsubscribe" to stop.`, off: (n: number) => (n ? 'You will not get these updates here any more.' : 'You had no subscriptions here.'), unknown: (l: string) => `I don't know that service. Try one of: ${l}.` },
  sv: { on: (s: string) => `Du får uppdateringar om ${s} här. Skriv "avprenumerera" för att sluta.`, off: (n: number) => (n ? 'Du får inte de här uppdateringarna här längre.' : 'Du hade inga prenumerationer här.'), unknown: (l: string) => `Den tjänsten känner jag inte till. Prova någon av: ${l}.` },
  es: { on: (s: string) => `Recibirá aquí avisos sobre ${s}. Escriba "darme de baja" para dejarlo.`, off: (n: number) => (n ? 'Ya no recibirá estos avisos aquí.' : 'No tenía suscripciones aquí.'), unknown: (l: string) => `No conozco ese servicio. Pruebe con: ${l}.` },
  pt: { on: (s: string) => `Vai receber aqui atualizações sobre ${s}. Escreva "cancelar subscrição" para parar.`, off: (n: number) => (n ? 'Deixará de receber estas atualizações aqui.' : 'Não tinha subscrições aqui.'), unknown: (l: string) => `Não conheço esse serviço. Experimente: ${l}.` },
};

/**
 * `subscribe <service>` / `unsubscribe` typed in a chat channel, handled in the event's transaction before the
 * dialog (IntakePipeline.handleCommands): the conversation itself becomes the subscriber's address. Email is left
 * to the dialog (a mail saying "subscribe" is more likely a report); email subscribers use the status page.
 */
export function chatSubscriptionCommands(catalog: ServiceCatalog) {
  return {
    matches: (text: string | undefined) => parseSubscriptionCommand(text) !== undefined,
    async handle(tx: Tx, conversation: ConversationContext, msg: InboundMessage): Promise<boolean> {
      const command = parseSubscriptionCommand(msg.text);
      if (!command || msg.channel === 'email') return false;
      const language = toLanguage(conversation.locale);
      const w = WORDS[language];
      const reply = (text: string) => enqueueMessage(tx, { id: conversation.id, channel: conversation.channel }, { text, author: { kind: 'bot' } });
      if (command.op === 'unsubscribe') {
        const serviceId = command.service ? resolveServiceId(catalog, command.service) : undefined;
        await reply(w.off(await unsubscribeConversation(tx, msg.channel, msg.threadKey, serviceId === '*' ? undefined : serviceId)));
        return true;
      }
      const serviceId = resolveServiceId(catalog, command.service);
      if (!serviceId) {
        await reply(w.unknown(catalog.services.map((s) => s.name[language]).join(', ')));
        return true;
      }
      await subscribeConversation(tx, { conversationId: conversation.id, channel: msg.channel, threadKey: msg.threadKey, contactId: conversation.contactId, serviceId, locale: conversation.locale });
      await reply(w.on(serviceId === '*' ? '*' : (catalog.find(serviceId)?.name[language] ?? serviceId)));
      return true;
    },
  };
}
