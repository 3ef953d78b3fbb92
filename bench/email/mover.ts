/**
 * Moves every mail of a folder into INBOX in one MOVE when told to, from a process of its own: the mails
 * arrive when the MOVE commits, and this process notices that at once. Timed from the bench process, the
 * MOVE's answer would wait behind the channel's own work (on PGlite the event loop is busy with the database),
 * and the window would start after the channel had begun.
 *
 * argv: host port user pass folder. Prints "ready" once logged in; on a line "go" on stdin, moves and prints
 * `{"doneAt": <epoch ms>}`, then logs out.
 */
import { createInterface } from 'node:readline';
import { ImapFlow } from 'imapflow';

const [host, port, user, pass, folder] = process.argv.slice(2);
const client = new ImapFlow({ host: host!, port: Number(port), secure: false, auth: { user: user!, pass: pass! }, logger: false });
await client.connect();
await client.mailboxOpen(folder!);
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  await client.messageMove('1:*', 'INBOX');
  console.log(JSON.stringify({ doneAt: performance.timeOrigin + performance.now() }));
  break;
}
await client.logout();
