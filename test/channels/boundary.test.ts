import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Ports and adapters: vendor SDKs are imported only inside their channel's folder. The core (src/), dialogs
 * and every other channel stay vendor-neutral.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const VENDORS: { pattern: RegExp; home: string }[] = [
  { pattern: /@slack\/(?:bolt|web-api|socket-mode|oauth|types)/, home: 'channels/slack/' },
  { pattern: /imapflow|mailparser|nodemailer|html-to-text/, home: 'channels/email/' },
  { pattern: /@microsoft\/agents(?:-[a-z]+)*|botbuilder(?:-[a-z]+)*|@azure\/msal-[a-z]+/, home: 'channels/teams/' },
  { pattern: /whatsapp-web\.js|puppeteer/, home: 'channels/whatsapp-web/' },
  // [llm] the model SDK stays behind the LLM layer's one client.
  { pattern: /openai/, home: 'src/llm/' },
];
const importOf = (pkg: RegExp) => new RegExp(`(?:from\\s+|import\\s*\\(\\s*|require\\s*\\(\\s*)['"](?:${pkg.source})(?:/[^'"]*)?['"]`);

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'generated' || name === 'public' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(?:[cm]?[jt]s)$/.test(name)) yield full;
  }
}

describe('vendor SDK boundary', () => {
  const files = ['src', 'channels', 'dialogs'].flatMap((root) => [...sourceFiles(path.join(repoRoot, root))]);
  for (const { pattern, home } of VENDORS) {
    it(`${pattern.source} is imported only under ${home}`, () => {
      const users = files.filter((f) => importOf(pattern).test(readFileSync(f, 'utf8'))).map((f) => path.relative(repoRoot, f).split(path.sep).join('/'));
      expect(users.filter((f) => !f.startsWith(home))).toEqual([]);
    });
  }

  it('the scan sees SDK imports where they belong', () => {
    const slack = files.filter((f) => f.includes(`${path.sep}slack${path.sep}`) && importOf(VENDORS[0]!.pattern).test(readFileSync(f, 'utf8')));
    const email = files.filter((f) => f.includes(`${path.sep}email${path.sep}`) && importOf(VENDORS[1]!.pattern).test(readFileSync(f, 'utf8')));
    const teams = files.filter((f) => f.includes(`${path.sep}teams${path.sep}`) && importOf(VENDORS[2]!.pattern).test(readFileSync(f, 'utf8')));
    expect(slack.length).toBeGreaterThan(0);
    expect(email.length).toBeGreaterThan(0);
    expect(teams.length).toBeGreaterThan(0);
    const whatsappWeb = files.filter((f) => f.includes(`${path.sep}whatsapp-web${path.sep}`) && importOf(VENDORS[3]!.pattern).test(readFileSync(f, 'utf8')));
    expect(whatsappWeb.length).toBeGreaterThan(0);
    expect(files.filter((f) => f.includes(`${path.sep}llm${path.sep}`) && importOf(/openai/).test(readFileSync(f, 'utf8'))).length).toBeGreaterThan(0); // [llm]
  });
});
