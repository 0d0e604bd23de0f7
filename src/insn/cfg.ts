import { fail } from '../errors.js';
import { helperName } from './helper-names.js';
import { TAIL_CALL_HELPER_ID, type CallInsn, type Insn } from './types.js';

/**
 * Control-flow graphs of the functions of one section, and the calls between them.
 *
 * Blocks partition each function's instructions. A block ends at a jump, an exit, a tail
 * call (control leaves for good when `bpf_tail_call` succeeds, so the instruction after
 * it is reached only on failure) or before the next jump target. Like the verifier
 * (check_subprogs), we refuse a jump that leaves its function, including to the slot right
 * after its end, a jump into the second half of an `lddw`, and control falling off the end
 * of a function: all OBJ_BAD_REFERENCE. Unreachable blocks are kept and flagged; loops
 * show as back edges.
 */

/** A function's slots [start, end), from its symbol. */
export interface FunctionBounds {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/**
 * `fallthrough`: into the next block without a jump; `taken` / `notTaken`: the two ways
 * out of a conditional jump (or may_goto); `unconditional`: ja / gotol.
 */
export type EdgeKind = 'fallthrough' | 'taken' | 'notTaken' | 'unconditional';

export interface Edge {
  /** Block indexes within the function. */
  readonly from: number;
  readonly to: number;
  readonly kind: EdgeKind;
  /**
   * A retreating edge of a depth-first walk from the entry (successors in order): it
   * closes a loop, and removing every such edge leaves the reachable graph acyclic.
   */
  readonly back: boolean;
}

/** How a block ends: its last instruction, or `fallthrough` when the next block simply begins. */
export type BlockEnd = 'exit' | 'jump' | 'branch' | 'tailCall' | 'fallthrough';

export interface BasicBlock {
  readonly index: number;
  /** First slot. */
  readonly start: number;
  /** Slot after the last instruction. */
  readonly end: number;
  readonly insns: readonly Insn[];
  readonly terminator: BlockEnd;
  readonly successors: readonly Edge[];
  /** Indexes of blocks with an edge to this one, ascending. */
  readonly predecessors: readonly number[];
  /** Reachable from the function's entry. */
  readonly reachable: boolean;
}

export interface FunctionRef {
  readonly section: string;
  readonly name: string;
  readonly slot: number;
}

export type CallSite =
  | { readonly slot: number; readonly kind: 'helper'; readonly helperId: number; readonly helperName: string | undefined }
  /** bpf_tail_call (helper 12): when it succeeds control never comes back. */
  | { readonly slot: number; readonly kind: 'tailCall'; readonly helperId: 12 }
  | { readonly slot: number; readonly kind: 'subprogram'; readonly callee: FunctionRef; readonly viaRelocation: boolean }
  | { readonly slot: number; readonly kind: 'kfunc'; readonly name: string | undefined; readonly btfId: number | undefined };

export interface FunctionCfg {
  readonly section: string;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Ordered by start slot; block 0 is the entry. */
  readonly blocks: readonly BasicBlock[];
  /** Slots of exit instructions. */
  readonly exits: readonly number[];
  readonly calls: readonly CallSite[];
}

export interface CallGraphEdge {
  readonly caller: string;
  readonly callee: FunctionRef;
  /** Slots of the calls. */
  readonly sites: readonly number[];
}

export interface SectionCfg {
  readonly section: string;
  readonly functions: readonly FunctionCfg[];
  /** bpf-to-bpf calls, within the section and (through the resolver) out of it. */
  readonly callGraph: readonly CallGraphEdge[];
}

/** What a relocation says a call reaches. */
export type CallResolution =
  | { readonly kind: 'subprogram'; readonly section: string; readonly name: string; readonly slot: number }
  | { readonly kind: 'kfunc'; readonly name: string };

/**
 * Resolves a call whose target comes from a relocation (calls into `.text` from another
 * section, kfunc calls); undefined means the call has no relocation and targets its own
 * section at slot + 1 + imm.
 */
export type CallResolver = (slot: number, insn: CallInsn) => CallResolution | undefined;

/** CFGs of every function of a section, given the section's decoded instructions. */
export function buildSectionCfg(
  section: string,
  insns: readonly Insn[],
  functions: readonly FunctionBounds[],
  resolveCall: CallResolver = () => undefined,
): SectionCfg {
  const index = indexBySlot(insns);
  checkBounds(section, insns, index, functions);
  const cfgs = [...functions].sort((a, b) => a.start - b.start).map((fn) => buildFunction(section, insns, index, fn, functions, resolveCall));
  const edges = new Map<string, { caller: string; callee: FunctionRef; sites: number[] }>();
  for (const fn of cfgs) {
    for (const call of fn.calls) {
      if (call.kind !== 'subprogram') continue;
      const key = JSON.stringify([fn.name, call.callee.section, call.callee.name]);
      const edge = edges.get(key) ?? { caller: fn.name, callee: call.callee, sites: [] };
      edge.sites.push(call.slot);
      edges.set(key, edge);
    }
  }
  return { section, functions: cfgs, callGraph: [...edges.values()] };
}

/** Position in `insns` of the instruction starting at each slot. */
function indexBySlot(insns: readonly Insn[]): ReadonlyMap<number, number> {
  return new Map(insns.map((insn, i) => [insn.slot, i]));
}

function checkBounds(section: string, insns: readonly Insn[], index: ReadonlyMap<number, number>, functions: readonly FunctionBounds[]): void {
  const sectionEnd = insns.length === 0 ? 0 : insns[insns.length - 1].slot + insns[insns.length - 1].slots;
  const sorted = [...functions].sort((a, b) => a.start - b.start);
  sorted.forEach((fn, i) => {
    const bad = (why: string): never => fail('OBJ_BAD_PROGRAM', `${section}: function ${fn.name} (slots ${fn.start}..${fn.end - 1}): ${why}`);
    if (!(fn.start < fn.end)) bad('is empty');
    if (!index.has(fn.start) || !(index.has(fn.end) || fn.end === sectionEnd)) bad('does not begin and end on instruction boundaries of the section');
    const next = sorted[i + 1];
    if (next !== undefined && next.start < fn.end) bad(`overlaps function ${next.name}`);
  });
}

function buildFunction(
  section: string,
  insns: readonly Insn[],
  index: ReadonlyMap<number, number>,
  fn: FunctionBounds,
  functions: readonly FunctionBounds[],
  resolveCall: CallResolver,
): FunctionCfg {
  const body = insns.slice(index.get(fn.start), index.get(fn.end) ?? insns.length);
  const where = (slot: number): string => `${section}: function ${fn.name}: slot ${slot}`;
  const range = `slots ${fn.start}..${fn.end - 1}`;
  const checkJump = (from: Insn, target: number): void => {
    if (target < fn.start || target >= fn.end) {
      const after = target === fn.end ? ', the slot right after its end' : '';
      fail('OBJ_BAD_REFERENCE', `${where(from.slot)}: jump to slot ${target} leaves the function (${range}${after})`);
    }
    if (!index.has(target)) fail('OBJ_BAD_REFERENCE', `${where(from.slot)}: jump to slot ${target}, the middle of an lddw`);
  };

  const leaders = new Set<number>([fn.start]);
  for (const insn of body) {
    const next = insn.slot + insn.slots;
    if (insn.kind === 'jump') {
      checkJump(insn, insn.target);
      leaders.add(insn.target);
      leaders.add(next);
    } else if (insn.kind === 'exit' || isTailCall(insn)) {
      leaders.add(next);
    }
  }

  // Split into blocks at leaders.
  const ranges: Insn[][] = [];
  for (const insn of body) {
    if (leaders.has(insn.slot)) ranges.push([]);
    ranges[ranges.length - 1].push(insn);
  }
  const blockAt = new Map(ranges.map((r, i) => [r[0].slot, i]));
  const successors: { to: number; kind: EdgeKind }[][] = ranges.map((part) => {
    const last = part[part.length - 1];
    const next = last.slot + last.slots;
    const fallInto = (kind: EdgeKind): { to: number; kind: EdgeKind } => {
      const to = blockAt.get(next);
      if (to === undefined) fail('OBJ_BAD_REFERENCE', `${where(last.slot)}: control falls off the end of the function (${range}) into slot ${next}`);
      return { to, kind };
    };
    if (last.kind === 'exit') return [];
    if (last.kind === 'jump') {
      const to = blockAt.get(last.target)!;
      if (last.op === 'ja') return [{ to, kind: 'unconditional' }];
      return [fallInto('notTaken'), { to, kind: 'taken' }];
    }
    return [fallInto('fallthrough')];
  });
  const { reachable, back } = walk(successors);

  const predecessors = ranges.map((): Set<number> => new Set());
  successors.forEach((out, from) => out.forEach((s) => predecessors[s.to].add(from)));
  const blocks: BasicBlock[] = ranges.map((part, i) => {
    const last = part[part.length - 1];
    return {
      index: i,
      start: part[0].slot,
      end: last.slot + last.slots,
      insns: part,
      terminator: terminatorOf(last),
      successors: successors[i].map((s, k) => ({ from: i, to: s.to, kind: s.kind, back: back.has(`${i}:${k}`) })),
      predecessors: [...predecessors[i]].sort((a, b) => a - b),
      reachable: reachable.has(i),
    };
  });

  const calls = body.flatMap((insn) => (insn.kind === 'call' ? [callSite(section, insn, functions, resolveCall, where)] : []));
  const exits = body.filter((i) => i.kind === 'exit').map((i) => i.slot);
  return { section, name: fn.name, start: fn.start, end: fn.end, blocks, exits, calls };
}

function isTailCall(insn: Insn): boolean {
  return insn.kind === 'call' && insn.callKind === 'helper' && insn.helperId === TAIL_CALL_HELPER_ID;
}

function terminatorOf(last: Insn): BlockEnd {
  if (last.kind === 'exit') return 'exit';
  if (last.kind === 'jump') return last.op === 'ja' ? 'jump' : 'branch';
  if (isTailCall(last)) return 'tailCall';
  return 'fallthrough';
}

/**
 * Iterative depth-first walk from block 0: which blocks are reachable, and which edges
 * (as `block:successorIndex`) retreat to a block still on the walk's stack.
 */
function walk(successors: readonly (readonly { to: number }[])[]): { reachable: Set<number>; back: Set<string> } {
  const state = new Map<number, 'open' | 'done'>();
  const back = new Set<string>();
  const stack: { block: number; next: number }[] = [];
  if (successors.length > 0) {
    stack.push({ block: 0, next: 0 });
    state.set(0, 'open');
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const out = successors[top.block];
    if (top.next >= out.length) {
      state.set(top.block, 'done');
      stack.pop();
      continue;
    }
    const k = top.next++;
    const to = out[k].to;
    const s = state.get(to);
    if (s === 'open') back.add(`${top.block}:${k}`);
    else if (s === undefined) {
      state.set(to, 'open');
      stack.push({ block: to, next: 0 });
    }
  }
  return { reachable: new Set(state.keys()), back };
}

function callSite(
  section: string,
  insn: CallInsn,
  functions: readonly FunctionBounds[],
  resolveCall: CallResolver,
  where: (slot: number) => string,
): CallSite {
  const slot = insn.slot;
  switch (insn.callKind) {
    case 'helper':
      return insn.helperId === TAIL_CALL_HELPER_ID
        ? { slot, kind: 'tailCall', helperId: TAIL_CALL_HELPER_ID }
        : { slot, kind: 'helper', helperId: insn.helperId, helperName: helperName(insn.helperId) };
    case 'kfunc': {
      const r = resolveCall(slot, insn);
      return { slot, kind: 'kfunc', name: r?.kind === 'kfunc' ? r.name : undefined, btfId: insn.btfId };
    }
    case 'subprogram': {
      const r = resolveCall(slot, insn);
      if (r?.kind === 'kfunc') return { slot, kind: 'kfunc', name: r.name, btfId: undefined };
      if (r?.kind === 'subprogram') return { slot, kind: 'subprogram', callee: { section: r.section, name: r.name, slot: r.slot }, viaRelocation: true };
      const callee = functions.find((f) => f.start === insn.target);
      if (callee === undefined) fail('OBJ_BAD_REFERENCE', `${where(slot)}: call to slot ${insn.target}, which is not the start of a function in ${section}`);
      return { slot, kind: 'subprogram', callee: { section, name: callee.name, slot: callee.start }, viaRelocation: false };
    }
  }
}
