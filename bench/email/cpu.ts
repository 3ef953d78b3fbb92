import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Where the machine's CPU goes during a timed window: this process, the PostgreSQL server, Dovecot, and the
 * machine as a whole. On a 2-core machine the email bench is bound by the CPU all of them use per mail, so the
 * split says which one to work on. Linux only (reads /proc); elsewhere the per-program figures are absent.
 */
export interface CpuSample {
  at: number;
  process: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
  programs: Map<string, number>;
}

/** Programs counted apart, by the command name /proc gives them. */
const PROGRAMS: Record<string, RegExp> = { postgres: /^postgres$/, dovecot: /^(dovecot|imap|imap-login|auth|anvil|log|config|indexer.*)$/ };
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (ms) of all running processes per program; processes that exited in the window are not counted. */
function programTimes(): Map<string, number> {
  const out = new Map<string, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const program = Object.keys(PROGRAMS).find((p) => PROGRAMS[p]!.test(comm));
    if (!program) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    out.set(program, (out.get(program) ?? 0) + ticks * TICK_MS);
  }
  return out;
}

function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

export function sampleCpu(): CpuSample {
  return { at: performance.now(), process: process.cpuUsage(), machine: machineTimes(), programs: programTimes() };
}

export interface CpuReport {
  /** How many of the machine's cores were busy on average over the window. */
  machineCores: number;
  /** CPU milliseconds per mail: this process, each program, and the whole machine. */
  msPerMail: Record<string, number>;
}

export function cpuSince(before: CpuSample, mails: number): CpuReport {
  const after = sampleCpu();
  const proc = process.cpuUsage(before.process);
  const wallMs = after.at - before.at;
  const cores = cpus().length;
  const busyShare = (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total);
  const perMail = (ms: number) => +(ms / mails).toFixed(2);
  const msPerMail: Record<string, number> = { frontline: perMail((proc.user + proc.system) / 1000) };
  for (const program of Object.keys(PROGRAMS)) {
    const a = after.programs.get(program);
    const b = before.programs.get(program);
    if (a !== undefined && b !== undefined) msPerMail[program] = perMail(a - b);
  }
  msPerMail.machine = perMail(busyShare * cores * wallMs);
  return { machineCores: +(busyShare * cores).toFixed(2), msPerMail };
}
