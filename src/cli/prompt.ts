import { createInterface } from 'node:readline';
import { FrontlineError } from '../errors.js';

/**
 * Reads a secret typed at the terminal without showing it. The terminal echoes keys itself (cooked mode), so
 * muting our own output is not enough: raw mode turns the terminal's echo off, and then we handle the few editing
 * keys a person uses while typing a password (Backspace, Enter, Ctrl-C, Ctrl-D) ourselves.
 */
function readHidden(input: NodeJS.ReadStream, output: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let typed = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      // One chunk may hold several keys (a paste): walk it by code point.
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') {
          done(new FrontlineError('BAD_REQUEST', 'interrupted'));
          // Like a shell after Ctrl-C: the conventional 128 + SIGINT.
          process.exit(130);
        }
        if (ch === '\u0004' && typed === '') return done(new FrontlineError('BAD_REQUEST', 'no password given'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/** The first line of a piped stdin; never written back, so a script's log does not get the password either. */
function readLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, terminal: false });
    let line: string | undefined;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => (line === undefined ? reject(new FrontlineError('BAD_REQUEST', 'no password on standard input')) : resolve(line)));
  });
}

/**
 * A new password: typed twice on a terminal (a typo you cannot see would lock the account out), one line from a
 * pipe. The prompt goes to stderr so stdout stays the command's result.
 */
export async function promptNewPassword(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  if (!input.isTTY) {
    output.write(prompt);
    const line = await readLine(input);
    output.write('\n');
    return line;
  }
  const first = await readHidden(input, output, prompt);
  const second = await readHidden(input, output, 'again, to confirm: ');
  if (first !== second) throw new FrontlineError('BAD_REQUEST', 'the two passwords differ; nothing was changed');
  return first;
}
