/**
 * Classic BPF assembly text to instructions. Accepts what tcpdump prints with -d, -dd
 * and -ddd (grammars/cbpf-asm.ts tells them apart), so `assembleCbpf(disassembleCbpf(p))`
 * gives p back for every program of valid codes.
 *
 * Mnemonic form, beyond tcpdump's own output:
 * - the `(NNN)` prefix is optional; where present it must be the instruction's index;
 * - `label:` may start a line (alone or before an instruction), and jump targets may be
 *   labels; numeric targets are absolute indices, as tcpdump prints them;
 * - `#len` means `#pktlen`, `ret a` means `ret`, `jmp` means `ja`, `ldx 4*([k]&0xf)`
 *   means `ldxb ...`, `[x]` means `[x + 0]`, and `[proto]`-style names are Linux's
 *   ancillary offsets; mnemonics and x/a/M are case-insensitive, labels are not;
 * - `unimp 0xNN` gives the code NN with k zero (and jt, jf from targets if given).
 * Numbers are decimal or 0x hex, never octal; k takes -2^31..2^32-1 (negative values
 * wrap, as tcpdump prints `ret #-1`). A conditional jump reaches 0..255 instructions past
 * the next one; `ja` may go backwards (tcpdump's `ip6 protochain` does), which FreeBSD's
 * validator then refuses. Everything else is left to the validator, so deliberately
 * invalid programs (M[16], div #0, no final ret) can still be written down.
 */
import { fail } from '../errors.js';
import type { AsmInstruction, AsmLine, AsmOperand, AsmTarget, NumberLit, NumericLine, SourcePos, Word } from '../../grammars/cbpf-asm-ast.js';
import { parseCbpfText } from '../../grammars/cbpf-asm.js';
import { ancillaryOffset } from './linux-ancillary.js';
import { classify, makeInsn } from './opcodes.js';
import type { AluOp, CbpfInsn, CbpfProgram, InsnShape, JumpCond, LoadSize } from './types.js';

/** Assembles text in the -d, -dd or -ddd form; fails with CBPF_SYNTAX at line:col. */
export function assembleCbpf(text: string): CbpfProgram {
  const parsed = parseCbpfText(text);
  switch (parsed.form) {
    case 'mnemonic': return assembleMnemonic(parsed.lines as AsmLine[]);
    case 'dd': return (parsed.lines as NumericLine[]).map((l) => rawLine(l));
    case 'ddd': {
      const [count, ...rest] = parsed.lines as NumericLine[];
      if (count.numbers.length !== 1) syntax(count.pos, 'a -ddd listing starts with the instruction count alone on its line');
      if (count.numbers[0].value !== rest.length) {
        syntax(count.pos, `the count says ${count.numbers[0].text} instructions but ${rest.length} follow`);
      }
      return rest.map((l) => rawLine(l));
    }
    default: return unreachable(parsed.form);
  }
}

function syntax(pos: SourcePos, message: string): never {
  return fail('CBPF_SYNTAX', `line ${pos.line}:${pos.column}: ${message}`);
}

function unreachable(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}

function inRange(n: NumberLit, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(n.value) || n.value < min || n.value > max) syntax(n.pos, `${what} ${n.text} is outside ${min}..${max}`);
  return n.value;
}

/** k: any 32-bit value, signed or unsigned. */
function kOf(n: NumberLit): number {
  return inRange(n, -0x80000000, 0xffffffff, 'the value') >>> 0;
}

function rawLine(line: NumericLine): CbpfInsn {
  if (line.numbers.length !== 4) syntax(line.pos, `expected 4 numbers (code jt jf k), found ${line.numbers.length}`);
  const [code, jt, jf, k] = line.numbers;
  return classify({
    code: inRange(code, 0, 0xffff, 'code'), jt: inRange(jt, 0, 0xff, 'jt'), jf: inRange(jf, 0, 0xff, 'jf'), k: kOf(k),
  });
}

interface Placed {
  readonly index: number;
  readonly insn: AsmInstruction;
  readonly pos: SourcePos;
}

function assembleMnemonic(lines: readonly AsmLine[]): CbpfProgram {
  const labels = new Map<string, number>();
  const placed: Placed[] = [];
  for (const line of lines) {
    const index = placed.length;
    if (line.index && line.index.value !== index) {
      syntax(line.index.pos, `the prefix says (${line.index.text}) but this is instruction ${index}`);
    }
    if (line.label) {
      if (labels.has(line.label.name)) syntax(line.label.pos, `label ${line.label.name} is defined twice`);
      labels.set(line.label.name, index);
    }
    if (line.instruction) placed.push({ index, insn: line.instruction, pos: line.pos });
    else if (line.index) syntax(line.pos, 'an instruction prefix with no instruction');
  }
  return placed.map((p) => assembleOne(p, labels, placed.length));
}

const LOADS: Readonly<Record<string, LoadSize>> = { ld: 'w', ldh: 'h', ldb: 'b' };
const ALU_MNEMONICS: ReadonlySet<string> = new Set(['add', 'sub', 'mul', 'div', 'mod', 'or', 'and', 'lsh', 'rsh', 'xor']);
const JUMP_MNEMONICS: ReadonlySet<string> = new Set(['jeq', 'jgt', 'jge', 'jset']);

function assembleOne(p: Placed, labels: ReadonlyMap<string, number>, count: number): CbpfInsn {
  const { mnemonic, operand } = p.insn;
  const m = mnemonic.name.toLowerCase();
  const bad = (): never => syntax(operandPos(operand) ?? mnemonic.pos, `${m} does not take ${describe(operand)}`);
  if (p.insn.jt && !JUMP_MNEMONICS.has(m) && m !== 'unimp') syntax(p.insn.jt.kind === 'index' ? p.insn.jt.value.pos : p.insn.jt.word.pos, `${m} takes no jt/jf targets`);

  if (m in LOADS) return assembleLoad(LOADS[m], m, operand, bad);
  if (m === 'ldx' || m === 'ldxb') return assembleLoadX(m, operand, bad);
  if (m === 'st' || m === 'stx') {
    if (operand.kind !== 'mem') return bad();
    return makeInsn({ kind: m }, memIndex(operand));
  }
  if (ALU_MNEMONICS.has(m)) {
    const op = m as AluOp;
    if (operand.kind === 'imm') return makeInsn({ kind: 'alu', op, src: 'k' }, kOf(operand.value));
    if (isRegister(operand, 'x')) return makeInsn({ kind: 'alu', op, src: 'x' });
    return bad();
  }
  if (m === 'neg' || m === 'tax' || m === 'txa') {
    if (operand.kind !== 'none') return bad();
    return makeInsn({ kind: m });
  }
  if (m === 'ja' || m === 'jmp') {
    if (operand.kind !== 'number' && operand.kind !== 'word') return bad();
    const target: AsmTarget = operand.kind === 'number' ? { kind: 'index', value: operand.value } : { kind: 'label', word: operand.word };
    // k is the offset mod 2^32, as tcpdump computes the target it prints in 32 bits.
    return makeInsn({ kind: 'ja' }, resolve(target, labels, count) - (p.index + 1));
  }
  if (JUMP_MNEMONICS.has(m)) return assembleCondJump(p, m as JumpCond, labels, count, bad);
  if (m === 'ret') {
    if (operand.kind === 'imm') return makeInsn({ kind: 'ret', src: 'k' }, kOf(operand.value));
    if (operand.kind === 'none' || isRegister(operand, 'a')) return makeInsn({ kind: 'ret', src: 'a' });
    return bad();
  }
  if (m === 'unimp') {
    if (operand.kind !== 'number') return bad();
    const code = inRange(operand.value, 0, 0xffff, 'code');
    const { jt, jf } = p.insn;
    return classify({ code, jt: jt ? targetOffset(jt, p.index, labels, count, 'jt') : 0, jf: jf ? targetOffset(jf, p.index, labels, count, 'jf') : 0, k: 0 });
  }
  return syntax(mnemonic.pos, `unknown mnemonic '${mnemonic.name}'`);
}

function assembleLoad(size: LoadSize, m: string, operand: AsmOperand, bad: () => never): CbpfInsn {
  switch (operand.kind) {
    case 'abs': return makeInsn({ kind: 'ld-abs', size }, kOf(operand.offset));
    case 'abs-word': {
      const k = ancillaryOffset(operand.word.name);
      if (k === undefined) return syntax(operand.word.pos, `[${operand.word.name}] is not a Linux ancillary load`);
      return makeInsn({ kind: 'ld-abs', size }, k);
    }
    case 'ind':
      if (operand.register.name.toLowerCase() !== 'x') syntax(operand.register.pos, `expected x, found '${operand.register.name}'`);
      return makeInsn({ kind: 'ld-ind', size }, operand.offset ? kOf(operand.offset) : 0);
    default:
      break;
  }
  if (m !== 'ld') return bad();
  if (operand.kind === 'imm') return makeInsn({ kind: 'ld-imm' }, kOf(operand.value));
  if (operand.kind === 'imm-word' && isLengthWord(operand.word)) return makeInsn({ kind: 'ld-len' });
  if (operand.kind === 'mem') return makeInsn({ kind: 'ld-mem' }, memIndex(operand));
  return bad();
}

function assembleLoadX(m: string, operand: AsmOperand, bad: () => never): CbpfInsn {
  if (operand.kind === 'msh') {
    if (operand.scale.value !== 4 || operand.mask.value !== 0xf) syntax(operand.scale.pos, 'the only indexed form is 4*([k]&0xf)');
    return makeInsn({ kind: 'ldx-msh' }, kOf(operand.offset));
  }
  if (m === 'ldxb') return bad();
  if (operand.kind === 'imm') return makeInsn({ kind: 'ldx-imm' }, kOf(operand.value));
  if (operand.kind === 'imm-word' && isLengthWord(operand.word)) return makeInsn({ kind: 'ldx-len' });
  if (operand.kind === 'mem') return makeInsn({ kind: 'ldx-mem' }, memIndex(operand));
  return bad();
}

function assembleCondJump(p: Placed, cond: JumpCond, labels: ReadonlyMap<string, number>, count: number, bad: () => never): CbpfInsn {
  const { operand, jt, jf, mnemonic } = p.insn;
  let shape: Exclude<InsnShape, { kind: 'unknown' }>;
  let k = 0;
  if (operand.kind === 'imm') {
    shape = { kind: 'jcond', cond, src: 'k' };
    k = kOf(operand.value);
  } else if (isRegister(operand, 'x')) {
    shape = { kind: 'jcond', cond, src: 'x' };
  } else {
    return bad();
  }
  if (!jt || !jf) return syntax(mnemonic.pos, `${cond} needs both targets: jt T jf F`);
  return makeInsn(shape, k, targetOffset(jt, p.index, labels, count, 'jt'), targetOffset(jf, p.index, labels, count, 'jf'));
}

/** jt or jf: the offset from the next instruction, which must fit in a byte. */
function targetOffset(t: AsmTarget, index: number, labels: ReadonlyMap<string, number>, count: number, which: string): number {
  const target = resolve(t, labels, count);
  const off = target - (index + 1);
  if (off < 0 || off > 255) {
    syntax(targetPos(t), `${which} target ${target} is ${off} instructions past the next one; conditional jumps reach 0..255 forward`);
  }
  return off;
}

function resolve(t: AsmTarget, labels: ReadonlyMap<string, number>, count: number): number {
  if (t.kind === 'index') return inRange(t.value, -0x80000000, 0xffffffff, 'the target');
  const at = labels.get(t.word.name);
  if (at === undefined) return syntax(t.word.pos, `no label named ${t.word.name}`);
  if (at >= count) return syntax(t.word.pos, `label ${t.word.name} is not followed by an instruction`);
  return at;
}

function memIndex(operand: Extract<AsmOperand, { kind: 'mem' }>): number {
  if (operand.bank.name.toLowerCase() !== 'm') syntax(operand.bank.pos, `expected M[k], found '${operand.bank.name}['`);
  return kOf(operand.index);
}

function isRegister(operand: AsmOperand, name: 'a' | 'x'): boolean {
  return operand.kind === 'word' && operand.word.name.toLowerCase() === name;
}

function isLengthWord(w: Word): boolean {
  const n = w.name.toLowerCase();
  return n === 'pktlen' || n === 'len';
}

function targetPos(t: AsmTarget): SourcePos {
  return t.kind === 'index' ? t.value.pos : t.word.pos;
}

function operandPos(operand: AsmOperand): SourcePos | undefined {
  switch (operand.kind) {
    case 'none': return undefined;
    case 'imm': case 'number': return operand.value.pos;
    case 'imm-word': case 'abs-word': case 'word': return operand.word.pos;
    case 'abs': return operand.offset.pos;
    case 'ind': return operand.register.pos;
    case 'mem': return operand.bank.pos;
    case 'msh': return operand.scale.pos;
    default: return unreachable(operand);
  }
}

function describe(operand: AsmOperand): string {
  switch (operand.kind) {
    case 'none': return 'no operand';
    case 'imm': return `an immediate (#${operand.value.text})`;
    case 'imm-word': return `#${operand.word.name}`;
    case 'abs': return `a packet offset ([${operand.offset.text}])`;
    case 'abs-word': return `[${operand.word.name}]`;
    case 'ind': return 'an indexed packet offset';
    case 'mem': return 'a scratch memory word';
    case 'msh': return 'an IP header length operand';
    case 'word': return `'${operand.word.name}'`;
    case 'number': return `a bare number (${operand.value.text})`;
    default: return unreachable(operand);
  }
}
