/**
 * The peers the cBPF tests compare against: tcpdump's three dump forms, and the C
 * harness (pcap-harness.c, built by test/global-setup.ts) for libpcap's bpf_validate,
 * bpf_filter and bpf_image and the Linux kernel's socket filter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RawInsn } from '../../src/cbpf/types.js';
import { repoRoot } from '../support/corpus.js';
import { hasTool } from '../support/tools.js';

export const HARNESS = join(repoRoot, 'test/.build/pcap-harness');

export function hasHarness(): boolean {
  return existsSync(HARNESS);
}

export function hasTcpdump(): boolean {
  return hasTool('tcpdump');
}

export type DumpFlag = '-d' | '-dd' | '-ddd';

/** tcpdump's dump of an expression on Ethernet (no interface, no root: pcap_open_dead). */
export function tcpdumpDump(flag: DumpFlag, expr: string, dlt = 'EN10MB'): string {
  const r = spawnSync('tcpdump', ['-y', dlt, flag, expr], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcpdump ${flag} '${expr}': ${r.stderr}`);
  return r.stdout;
}

/** What the peers say about one program and the frames run through it. */
export interface PeerVerdicts {
  /** libpcap's bpf_validate. */
  readonly pcapValid: boolean;
  /** Linux's SO_ATTACH_FILTER accepted it (undefined without the Linux oracle). */
  readonly linuxValid?: boolean;
  readonly linuxError?: string;
  /** libpcap's bpf_filter per frame; undefined where the harness refused to run it. */
  readonly pcap: readonly (number | undefined)[];
  /** Linux per frame: 'drop', or the number of bytes delivered. */
  readonly linux: readonly ('drop' | number)[];
  /** bpf_image lines, when asked for. */
  readonly image: readonly string[];
}

export interface PeerJob {
  readonly prog: readonly RawInsn[];
  readonly frames?: readonly Uint8Array[];
  /** Wire lengths per frame, when they differ from the buffer length. */
  readonly wireLens?: readonly number[];
  readonly image?: boolean;
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Runs jobs through the harness in one process; `linux` adds the kernel oracle. */
export function runPeers(jobs: readonly PeerJob[], linux = false): PeerVerdicts[] {
  const cmds: string[] = [];
  for (const j of jobs) {
    cmds.push(`prog ${j.prog.length}`, ...j.prog.map((p) => `${p.code} ${p.jt} ${p.jf} ${p.k}`));
    (j.frames ?? []).forEach((f, i) => cmds.push(`pkt ${toHex(f)}${j.wireLens ? ` ${j.wireLens[i]}` : ''}`));
    if (j.image) cmds.push('image');
  }
  const r = spawnSync(HARNESS, linux ? ['--linux'] : [], { input: `${cmds.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`pcap-harness failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout.slice(-500)}`);
  const out = r.stdout.split('\n');
  let at = 0;
  const next = (prefix: string): string => {
    const line = out[at++];
    if (!line?.startsWith(prefix)) throw new Error(`pcap-harness: expected '${prefix}', got '${line}'`);
    return line.slice(prefix.length);
  };
  return jobs.map((j) => {
    const pcapValid = next('validate ') === '1';
    let linuxValid: boolean | undefined;
    let linuxError: string | undefined;
    if (linux) {
      const l = next('linux ');
      linuxValid = l === 'ok';
      if (!linuxValid) linuxError = l;
    }
    const pcap: (number | undefined)[] = [];
    const lx: ('drop' | number)[] = [];
    for (let i = 0; i < (j.frames ?? []).length; i++) {
      const v = next('pcap ');
      pcap.push(v === 'unsafe' ? undefined : Number(v));
      if (linux) {
        const l = next('linux ');
        if (l === 'drop') lx.push('drop');
        else if (l.startsWith('len ')) lx.push(Number(l.slice(4)));
        else if (l !== 'noprog') throw new Error(`pcap-harness: linux said '${l}'`);
      }
    }
    const image = j.image ? j.prog.map(() => next('image ')) : [];
    return { pcapValid, linuxValid, linuxError, pcap, linux: lx, image };
  });
}

/** Verdicts of one program over a shared set of frames. */
export interface SweepResult {
  readonly pcapValid: boolean;
  readonly linuxValid?: boolean;
  /** undefined when the harness would not run the program (see pcap-harness.c). */
  readonly pcap?: readonly number[];
  /** Per frame: 'drop' or the bytes delivered; undefined when Linux refused the program. */
  readonly linux?: readonly ('drop' | number)[];
}

/** Runs every program over every frame: the frames are sent once. */
export function sweepPeers(progs: readonly (readonly RawInsn[])[], frames: readonly Uint8Array[], linux = false): SweepResult[] {
  const cmds = frames.map((f) => `frame ${toHex(f)}`);
  for (const p of progs) cmds.push(`prog ${p.length}`, ...p.map((i) => `${i.code} ${i.jt} ${i.jf} ${i.k}`), 'runall');
  const r = spawnSync(HARNESS, linux ? ['--linux'] : [], { input: `${cmds.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`pcap-harness failed (${r.status ?? r.signal}): ${r.stderr}`);
  const out = r.stdout.split('\n');
  let at = 0;
  const next = (prefix: string): string[] => {
    const line = out[at++];
    if (!line?.startsWith(prefix)) throw new Error(`pcap-harness: expected '${prefix}', got '${line?.slice(0, 80)}'`);
    return line.slice(prefix.length).split(' ').filter((w) => w !== '');
  };
  return progs.map(() => {
    const pcapValid = next('validate')[0] === '1';
    const linuxValid = linux ? next('linux')[0] === 'ok' : undefined;
    const pv = next('pcapall');
    const pcap = pv[0] === 'unsafe' ? undefined : pv.map(Number);
    if (!linux) return { pcapValid, pcap };
    const lv = next('linuxall');
    const lx = linuxValid ? lv.map((w): 'drop' | number => {
      if (w === 'e') throw new Error('pcap-harness: the kernel oracle failed to send or receive');
      return w === 'd' ? 'drop' : Number(w);
    }) : undefined;
    return { pcapValid, linuxValid, pcap, linux: lx };
  });
}
