import type { AttachmentRef, IncidentPatchInput } from '../types.js';
import { incidentOfCard, origin } from './agent.js';
import { teamsAgent } from './directory.js';
import { download, inboundFiles } from './files.js';
import { stripMentions, type TeamsActivity } from './intake.js';
import type { TeamsReference } from './reference.js';
import type { TeamsRuntime } from './runtime.js';

const TIERS = ['L1', 'L2', 'L3'] as const;
const PRIORITY = /^P[1-5]$/i;
export const REFUSAL = 'Sorry, only service desk agents can act on incidents here.';

/**
 * A message in a triage channel: a card button, or an @mention reply in a card's reply chain (Teams delivers
 * channel messages to a bot only when they mention it). Plain text is a public reply relayed to the reporter,
 * with the agent's files; text starting with the note prefix is an internal note; `!take`, `!priority P2`,
 * `!pending`, `!resolve <note>`, `!escalate`, `!category <id> [service]`, `!group <name>`,
 * `!confidential [off]` act on the incident. Only agents (see directory.ts) may do any of it.
 */
export async function agentMessage(rt: TeamsRuntime, a: TeamsActivity): Promise<void> {
  const v = (a.value ?? {}) as Record<string, unknown>;
  const click = v.frontline === 'agent' && typeof v.number === 'string';
  const root = /;messageid=(.+)$/.exec(a.conversation.id)?.[1];
  const number = click ? (v.number as string) : root ? await rt.host.state.get<string>(incidentOfCard(root)) : undefined;
  if (!number) return; // chatter outside a card's reply chain
  const text = click ? '' : stripMentions(a);
  const files = click ? [] : inboundFiles(a.attachments ?? undefined);
  if (!click && !text && !files.length) return;
  const chain: TeamsReference = { serviceUrl: a.serviceUrl, conversationId: a.conversation.id, kind: 'channel' };
  const say = (line: string) => rt.connector.send(chain, { type: 'message', text: line }).catch((err: unknown) => rt.logger.warn({ err }, 'Teams: could not answer in the reply chain'));
  const agent = await teamsAgent(rt, a);
  if (!agent.allowed) {
    rt.logger.info({ user: agent.key, number }, 'Teams: refused a non-agent on a triage card');
    await say(`${REFUSAL} (${a.from.name ?? 'You'} is not on the service desk's agent list.)`);
    return;
  }
  const eventId = `agent:${a.id ?? ''}`;
  const act = async (fn: () => Promise<unknown>) => {
    try {
      const incident = await rt.host.incidents.get(number);
      await origin.run({ incidentId: incident?.id ?? '' }, fn);
    } catch (err) {
      rt.logger.warn({ err }, 'Teams: agent action failed');
      await say(`That did not work: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const update = (patch: IncidentPatchInput | undefined) => (patch ? act(() => rt.host.incidents.update(number, patch, `teams:${agent.name}`, { eventId })) : Promise.resolve());

  if (click) return update(await buttonPatch(rt, String(v.action), number, agent.name, v));
  if (text.startsWith('!')) {
    const patch = await commandPatch(rt, text, number, agent.name);
    if (patch) return update(patch);
    await say(`Commands: \`!take\`, \`!priority P1\`–\`P5\`, \`!pending\`, \`!resolve <note>\`, \`!escalate\`, \`!category <category> [service]\`, \`!group <assignment group>\`, \`!confidential [off]\`. Anything else is a reply to the reporter; start with \`${rt.settings.notePrefix}\` for an internal note.`);
    return;
  }
  const prefix = rt.settings.notePrefix.toLowerCase();
  const internal = text.toLowerCase().startsWith(prefix);
  let body = internal ? text.slice(prefix.length).trim() : text;
  // A redelivered activity changes nothing (eventId): do not download and store its files again either.
  const relay = !internal && files.length && !(await rt.host.incidents.handled(eventId)) ? await relayFiles(rt, a, number, files, say) : [];
  if (!body && relay.length) body = `Shared ${relay.map((f) => `"${f.filename}"`).join(', ')}`;
  if (!body) return;
  await act(() => rt.host.incidents.comment(number, { text: body, author: agent.name, internal, eventId, ...(relay.length ? { attachments: relay } : {}) }));
}

async function buttonPatch(rt: TeamsRuntime, action: string, number: string, name: string, v: Record<string, unknown>): Promise<IncidentPatchInput | undefined> {
  switch (action) {
    case 'take': return { assignee: name };
    case 'pending': return { status: 'pending' };
    case 'priority': return typeof v.priority === 'string' && PRIORITY.test(v.priority) ? { priority: v.priority.toUpperCase() as IncidentPatchInput['priority'] } : undefined;
    case 'assign': return typeof v.assignee === 'string' && v.assignee.trim() ? { assignee: v.assignee.trim() } : undefined;
    case 'resolve': return typeof v.resolution === 'string' && v.resolution.trim() ? { status: 'resolved', resolution: v.resolution.trim() } : undefined;
    case 'escalate': {
      const i = await rt.host.incidents.get(number);
      return { tier: TIERS[Math.min(TIERS.indexOf((i?.tier ?? 'L1') as (typeof TIERS)[number]) + 1, TIERS.length - 1)]! };
    }
    default: return undefined;
  }
}

/** The reply-chain commands, as in Slack's card threads. */
async function commandPatch(rt: TeamsRuntime, text: string, number: string, name: string): Promise<IncidentPatchInput | undefined> {
  const [verb = '', ...rest] = text.slice(1).trim().split(/\s+/);
  const arg = rest.join(' ').trim();
  switch (verb.toLowerCase()) {
    case 'take': return { assignee: name };
    case 'pending': return { status: 'pending' };
    case 'priority': return PRIORITY.test(arg) ? { priority: arg.toUpperCase() as IncidentPatchInput['priority'] } : undefined;
    case 'resolve': return arg ? { status: 'resolved', resolution: arg } : undefined;
    case 'escalate': return buttonPatch(rt, 'escalate', number, name, {});
    case 'category': return rest[0] ? { category: rest[0], ...(rest[1] ? { service: rest[1] } : {}) } : undefined;
    case 'group': return arg ? { assignmentGroup: arg } : undefined;
    case 'confidential': return { confidential: !/^(off|no|false)$/i.test(arg) };
    default: return undefined;
  }
}

/**
 * An agent's files, for the reporter: downloaded within TEAMS_MAX_ATTACHMENT_BYTES and stored in the reporter's
 * conversation, where their channel serves them from. Files that could not be taken are named in the chain.
 */
async function relayFiles(rt: TeamsRuntime, a: TeamsActivity, number: string, files: ReturnType<typeof inboundFiles>, say: (line: string) => Promise<unknown>): Promise<AttachmentRef[]> {
  const incident = await rt.host.incidents.get(number);
  const reporter = incident?.originChannel ? await rt.host.conversations.findByIncidentNumber(incident.originChannel, Number(number.replace(/\D/g, ''))) : undefined;
  if (!reporter) {
    await say('The reporter has no conversation to send files to; the files were not passed on.');
    return [];
  }
  const stored: AttachmentRef[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    const got = await download(rt, f);
    if (got.ok) stored.push(await rt.host.storeAttachment(reporter.conversationId, got));
    else skipped.push(`"${got.name}" (${got.reason === 'too_large' ? `larger than ${Math.round(rt.settings.maxAttachmentBytes / 1024)} KB` : 'could not be downloaded'})`);
  }
  if (skipped.length) await say(`Not passed on to the reporter: ${skipped.join(', ')}.`);
  rt.logger.debug({ from: a.from.id, stored: stored.length }, 'Teams: agent files stored for the reporter');
  return stored;
}
