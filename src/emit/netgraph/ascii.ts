/**
 * ng_parse's ASCII form of a `struct ng_bpf_hookprog`, as `ngctl msg <node>: setprogram`
 * takes it (ngbpf-cbpf.md §2.1):
 *
 *     {thisHook="lower" ifMatch="upper" ifNotMatch="" bpf_prog_len=3 bpf_prog=[{code=40 k=12}{code=21 jf=1 k=2054}{code=6 k=4294967295}]}
 *
 * Compact, to fit as many instructions as possible in the 511 words `ngctl -f` reads per
 * line: `{ } [ ] =` and quoted strings are tokens of their own, so braces touch their
 * neighbours (`k=12}{code=21` is one word to strtok and three tokens to ng_parse); only
 * two words need a space between them. Zero jt, jf and k are left out (ng_parse fills
 * fields left out with zero); code is always written. Numbers are decimal without leading
 * zeros (ng_parse reads base 0: `050` would be octal). Hook names are quoted.
 */
import { fail } from '../../errors.js';
import type { CbpfProgram, RawInsn } from '../../cbpf/types.js';
import { assertHookName } from './names.js';

export interface HookProgram {
  readonly thisHook: string;
  /** The hook matching frames leave by; '' drops them. */
  readonly ifMatch: string;
  /** The hook other frames leave by; '' drops them. */
  readonly ifNotMatch: string;
  readonly program: CbpfProgram;
}

function field(name: string, value: number, max: number): string {
  if (!Number.isInteger(value) || value < 0 || value > max) fail('CBPF_BAD_ENCODING', `${name}=${value} is outside 0..${max}`);
  return `${name}=${value}`;
}

/** `{code=21 jf=1 k=2054}`. */
export function insnAscii(insn: RawInsn): string {
  const parts = [field('code', insn.code, 0xffff)];
  if (insn.jt !== 0) parts.push(field('jt', insn.jt, 0xff));
  if (insn.jf !== 0) parts.push(field('jf', insn.jf, 0xff));
  if (insn.k !== 0) parts.push(field('k', insn.k, 0xffffffff));
  return `{${parts.join(' ')}}`;
}

/** `"name"`, or `""` for no hook (drop). */
function hookString(name: string, what: string): string {
  return name === '' ? '""' : `"${assertHookName(name, what)}"`;
}

export function hookProgramAscii(h: HookProgram): string {
  if (h.program.length === 0) fail('CBPF_INVALID', `setprogram for hook ${h.thisHook}: never send an empty program (ng_bpf runs it on nothing)`);
  const head = [
    `thisHook=${hookString(h.thisHook, 'thisHook')}`,
    `ifMatch=${hookString(h.ifMatch, 'ifMatch')}`,
    `ifNotMatch=${hookString(h.ifNotMatch, 'ifNotMatch')}`,
    `bpf_prog_len=${h.program.length}`,
  ];
  return `{${head.join(' ')} bpf_prog=[${h.program.map(insnAscii).join('')}]}`;
}
