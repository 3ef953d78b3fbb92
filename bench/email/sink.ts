/**
 * The SMTP sink of bench/email in a process of its own: in the bench's process it parsed every reply on the
 * event loop the outbox (and, embedded, the database) runs on, so the drain measured the sink as well. Prints
 * `{"port": n}` once listening, then `{"received": n}` whenever the count changes; exits when stdin closes.
 */
import { SmtpSink } from '../../test/channels/email/smtp-sink.js';

const sink = new SmtpSink();
await sink.start();
console.log(JSON.stringify({ port: sink.port }));
let total = 0;
const timer = setInterval(() => {
  if (sink.received.length === 0) return;
  // Only the count is needed: drop the mails so a long drain does not grow this process.
  total += sink.received.length;
  sink.received.length = 0;
  console.log(JSON.stringify({ received: total }));
}, 20);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(timer);
  void sink.stop().then(() => process.exit(0));
});
