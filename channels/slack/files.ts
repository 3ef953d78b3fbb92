import { z } from 'zod';
import type { AttachmentRef, OutboundMessage } from '../types.js';
import type { SlackRuntime } from './runtime.js';

/** The fields of a Slack file object (`files[]` of a `file_share` message) we rely on. */
export const slackFileSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private_download: z.string().nullish(),
  url_private: z.string().nullish(),
});
export type SlackFile = z.infer<typeof slackFileSchema>;

export const fileName = (f: SlackFile) => f.name || f.title || `${f.id}.bin`;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/**
 * Downloads files a person shared in Slack, with the bot token (`files:read`), within the size limit.
 * Files over the limit, and files that cannot be fetched, come back in `skipped` so the caller can say so.
 */
export async function downloadSlackFiles(rt: SlackRuntime, files: readonly SlackFile[]): Promise<{ files: { filename: string; contentType: string; data: Buffer }[]; skipped: { filename: string; size: number; reason: 'too_large' | 'unavailable' }[] }> {
  const out: { filename: string; contentType: string; data: Buffer }[] = [];
  const skipped: { filename: string; size: number; reason: 'too_large' | 'unavailable' }[] = [];
  const limit = rt.settings.maxFileBytes;
  for (const f of files) {
    const filename = fileName(f);
    if ((f.size ?? 0) > limit) {
      skipped.push({ filename, size: f.size ?? 0, reason: 'too_large' });
      continue;
    }
    // Some events only reference the file (e.g. `file_access: check_file_info`): files.info has the URL.
    const url = f.url_private_download ?? f.url_private ?? (await rt.web.files.info({ file: f.id }).then((r) => r.file?.url_private_download ?? r.file?.url_private, () => undefined));
    // The bot token only ever goes to Slack (or the API host we were configured with).
    if (!url || !trustedFileHost(url, rt.settings.apiUrl)) {
      skipped.push({ filename, size: f.size ?? 0, reason: 'unavailable' });
      continue;
    }
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${rt.settings.botToken}` }, redirect: 'follow' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      if (data.length > limit) {
        skipped.push({ filename, size: data.length, reason: 'too_large' });
        continue;
      }
      out.push({ filename, contentType: f.mimetype || res.headers.get('content-type') || 'application/octet-stream', data });
    } catch (err) {
      rt.logger.warn({ err, file: f.id }, 'could not download a Slack file');
      skipped.push({ filename, size: f.size ?? 0, reason: 'unavailable' });
    }
  }
  return { files: out, skipped };
}

function trustedFileHost(url: string, apiUrl: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'slack.com' || host.endsWith('.slack.com') || host.endsWith('.slack-edge.com') || host === new URL(apiUrl).hostname;
  } catch {
    return false;
  }
}

/** A polite line for files that were not passed on. */
export function skippedNote(skipped: readonly { filename: string; size: number; reason: 'too_large' | 'unavailable' }[], limit: number): string {
  return skipped
    .map((s) => (s.reason === 'too_large' ? `(The file "${s.filename}" (${formatBytes(s.size)}) is larger than ${formatBytes(limit)}, so it was not passed on. Please share it another way if it is needed.)` : `(The file "${s.filename}" could not be passed on.)`))
    .join('\n');
}

/**
 * Files of an outbound message, with their bytes. A file belongs to the conversation it was sent in: the
 * message's own conversation (an agent's file relayed to a Slack reporter), or the incident's reporter
 * conversation (a reporter's file shown in the card's thread).
 */
export async function outboundFiles(rt: SlackRuntime, conversationId: string, message: OutboundMessage): Promise<{ ready: { ref: AttachmentRef; data: Buffer }[]; tooLarge: AttachmentRef[] }> {
  const ready: { ref: AttachmentRef; data: Buffer }[] = [];
  const tooLarge: AttachmentRef[] = [];
  let origin: string | undefined | null = null;
  for (const ref of message.attachments ?? []) {
    if (ref.size > rt.settings.maxFileBytes) {
      tooLarge.push(ref);
      continue;
    }
    if (!ref.id) continue;
    let found = await rt.host.readAttachment(conversationId, ref.id);
    if (!found && message.incidentNumber) {
      if (origin === null) origin = await reporterConversation(rt, message.incidentNumber);
      if (origin) found = await rt.host.readAttachment(origin, ref.id);
    }
    if (found) ready.push({ ref, data: found.data });
    else rt.logger.warn({ attachment: ref.id }, 'attachment to relay not found');
  }
  return { ready, tooLarge };
}

async function reporterConversation(rt: SlackRuntime, number: string): Promise<string | undefined> {
  const incident = await rt.host.incidents.get(number);
  if (!incident?.originChannel) return undefined;
  const match = await rt.host.conversations.findByIncidentNumber(incident.originChannel, Number(number.replace(/\D/g, '')));
  return match?.conversationId;
}

/** Uploads files into a channel or thread with Slack's current flow (files.getUploadURLExternal + completeUploadExternal). */
export async function uploadToSlack(rt: SlackRuntime, channel: string, threadTs: string | undefined, files: readonly { ref: AttachmentRef; data: Buffer }[]): Promise<void> {
  if (!files.length) return;
  await rt.web.filesUploadV2({
    channel_id: channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    file_uploads: files.map((f) => ({ file: f.data, filename: f.ref.filename, title: f.ref.filename })),
  } as never);
}
