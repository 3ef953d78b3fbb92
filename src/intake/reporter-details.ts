import type { ReporterDetails, ReporterDetailsInput } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { formatIncidentNumber } from '../incidents/number.js';
import type { IncidentService } from '../incidents/service.js';
import { storableText } from '../security/sanitize.js';
import type { IntakePipeline } from './pipeline.js';

/**
 * Who is behind a reporter conversation, for channels where people may stay anonymous (a web chat visitor is
 * a uuid until they say more). What a visitor types is shown to agents and used to reach them; it never links
 * them to another person's contact (only a verified email does, see identity.ts).
 */
export function createReporterDetails(pipeline: IntakePipeline, incidents: IncidentService, onCommitted: () => void) {
  return {
    describe: (conversationId: string) => pipeline.transaction((tx) => describe(tx, conversationId)),
    async update(conversationId: string, input: ReporterDetailsInput): Promise<ReporterDetails> {
      const details = await pipeline.transaction(async (tx) => {
        const contactId = await contactOf(tx, conversationId);
        await tx.$executeRaw`SELECT 1 FROM contact WHERE id = ${contactId}::uuid FOR UPDATE`;
        const contact = (await tx.contact.findUnique({ where: { id: contactId } }))!;
        const name = input.displayName === undefined ? undefined : storableText(input.displayName.trim());
        const email = input.email?.trim().toLowerCase();
        // A verified address (signed by the host page, or from a platform) is not replaced by a typed one.
        if (email !== undefined && contact.emailVerified && contact.email !== email) {
          throw new FrontlineError('CONFLICT', 'this conversation already has a verified email address');
        }
        const changed: string[] = [];
        if (name !== undefined && name !== contact.displayName) changed.push(`name: ${name}`);
        if (email !== undefined && email !== contact.email) changed.push(`email: ${email} (typed by the reporter, not verified)`);
        if (changed.length === 0) return describe(tx, conversationId);
        await tx.contact.update({
          where: { id: contactId },
          data: { ...(name !== undefined ? { displayName: name } : {}), ...(email !== undefined ? { email } : {}) },
        });
        // Agents learn it where they work: an internal note on the reporter's open incidents of this conversation.
        const open = await tx.incident.findMany({ where: { originConversationId: conversationId, status: { in: [...OPEN_STATUSES] } }, select: { id: true } });
        for (const { id } of open) {
          await incidents.comment(tx, id, { text: `The reporter added contact details. ${changed.join('; ')}`, author: 'Frontline', internal: true });
        }
        return describe(tx, conversationId);
      });
      onCommitted();
      return details;
    },
  };
}

async function contactOf(tx: Tx, conversationId: string): Promise<string> {
  const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { contactId: true } });
  if (!conversation?.contactId) throw new FrontlineError('NOT_FOUND', 'conversation not found');
  return conversation.contactId;
}

async function describe(tx: Tx, conversationId: string): Promise<ReporterDetails> {
  const contact = await tx.contact.findUnique({ where: { id: await contactOf(tx, conversationId) }, select: { displayName: true, email: true, emailVerified: true } });
  const latest = await tx.incident.findFirst({ where: { originConversationId: conversationId }, orderBy: { createdAt: 'desc' }, select: { number: true } });
  return {
    name: contact?.displayName ?? null,
    email: contact?.email ?? null,
    emailVerified: contact?.emailVerified ?? false,
    incidentNumber: latest ? formatIncidentNumber(latest.number) : null,
  };
}
