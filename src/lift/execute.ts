import type { AluInsn, Insn, JumpInsn } from '../insn/types.js';
import { helperName } from '../insn/helper-names.js';
import { MapType } from '../object/map-types.js';
import type { BpfObject, BpfProgram } from '../object/types.js';
import { indexCode, type CodeIndex } from './code-index.js';
import { liveRegisters, type LiveSets } from './liveness.js';
import { MergeSignatures, mergeStates } from './merge.js';
import { decide, learn, negateOp, resolve, type Facts } from './facts.js';
import { contextField, type ContextKind } from './context-fields.js';
import { callHelper, canFail, type HelperEnv } from './helpers.js';
import { load, storeTo } from './memory.js';
import { advance, push, reg, setReg, toArray, topFrame, type Frame, type PathState } from './path-state.js';
import {
  bin, ctxPtr, funcPtr, globalPtr, konst, lookupPtr, mapPtr, pktPtr, scalar, stackPtr, un,
  type BinOp, type MapRef, type Sym,
} from './sym.js';
import type { AbandonCause, CmpOp, Guard, Lookup, PathSummary, ProgramPaths, SlotRef } from './types.js';

export interface LiftLimits {
  /** Paths explored per program before giving up on the rest. */
  readonly maxPaths: number;
  /** Instructions per path. */
  readonly maxSteps: number;
  /** Times one back edge may be taken on a path (loop unrolling bound). */
  readonly maxLoopIterations: number;
  readonly maxTailCalls: number;
  /**
   * Instructions spent in one program (an entry or a tail-call target) before the paths
   * still in it are given up: a parser loop must not starve the rest of the policy.
   */
  readonly maxStepsPerProgram: number;
  /**
   * Take fallible helpers (checksum and store helpers, map updates) to succeed instead of
   * following both outcomes. Their failures are run-time errors, not policy; a path per
   * failure multiplies paths without telling anything a translation could use.
   */
  readonly assumeHelperSuccess: boolean;
  /**
   * Stop at the first path given up on: all a tail-call stage probe needs to know is
   * whether one is (the rest of the paths would be lifted for nothing).
   */
  readonly stopAtFirstAbandoned?: boolean;
  /**
   * Run the newest path on to its end before any other, and merge none. A stage whose loop
   * forks on every byte costs the breadth-wise order its whole budget before any path
   * reaches the loop bound; depth-first, the first such path reaches it within a few
   * hundred instructions.
   */
  readonly depthFirst?: boolean;
  /**
   * For tests: where the cheap guard filter (MergeSignatures.mayMerge) skips a merge, try
   * it anyway and fail if it would have merged (the filter must only skip failures).
   */
  readonly checkMergeFilter?: boolean;
}

export const DEFAULT_LIMITS: LiftLimits = { maxPaths: 3_000, maxSteps: 50_000, maxLoopIterations: 16, maxTailCalls: 33, maxStepsPerProgram: 60_000, assumeHelperSuccess: true };

/**
 * Whether to enter a tail-call target: undefined to follow it, or the reason not to (the
 * call is then lifted as if the slot were empty, and the effect says why).
 */
/** Whether a tail call into `program` is followed: undefined, or why not and where the lifter stopped in it. */
export type FollowTailCall = (program: string) => { readonly why: string; readonly stuckAt: SlotRef | undefined } | undefined;

type Step = { readonly kind: 'continue'; readonly state: PathState } | { readonly kind: 'fork'; readonly states: readonly PathState[] } | { readonly kind: 'end'; readonly path: Omit<PathSummary, 'id' | 'program'> };

/**
 * Symbolic execution of one program from its entry: every feasible path with its guards,
 * lookups, effects and end. bpf-to-bpf calls are followed into their callees, tail calls
 * into the program a constant PROG_ARRAY slot holds; loops are unrolled up to a bound.
 * A path the lifter cannot follow ends as `abandoned` with the reason, never silently.
 */
export function liftProgram(obj: BpfObject, program: BpfProgram, env: HelperEnv, limits: LiftLimits = DEFAULT_LIMITS, follow: FollowTailCall = () => undefined): ProgramPaths {
  const code = indexCode(obj);
  const joins = joinPoints(obj);
  const sectionOrder = new Map(obj.sections.map((x, i) => [x.name, i]));
  const live = liveness(code);
  const frontier: Waiting = limits.depthFirst ? new Newest() : new Frontier(sectionOrder);
  const signatures = new MergeSignatures();
  frontier.add(initialState(program, env.context));
  const paths: PathSummary[] = [];
  const spent = new Map<string, number>();
  const covered = new Map<string, Set<number>>();
  let steps = 0;
  let truncated = false;
  while (frontier.size) {
    if (paths.length >= limits.maxPaths) {
      truncated = true;
      break;
    }
    const group = frontier.takeFirst();
    for (const start of mergeGroup(group, live(group[0].section, group[0].slot), signatures, limits.checkMergeFilter ?? false)) {
      if ((spent.get(start.program) ?? 0) > limits.maxStepsPerProgram) {
        const r = abandon(start, `more than ${limits.maxStepsPerProgram} instructions lifted in ${start.program}`, 'budget');
        if (r.kind === 'end') paths.push({ ...r.path, id: paths.length, program: program.name });
        if (limits.stopAtFirstAbandoned) return { program: program.name, paths, truncated, instructionsVisited: steps, covered };
        continue;
      }
      // Run this path until it forks, ends, or reaches a join point where others may wait.
      let state = start;
      let first = true;
      for (;;) {
        if (!first && joins.get(state.section)?.has(state.slot)) {
          frontier.add(state);
          break;
        }
        first = false;
        const r = step(obj, code, env, state, limits, follow);
        steps++;
        spent.set(state.program, (spent.get(state.program) ?? 0) + 1);
        cover(covered, state.section, state.slot);
        if (r.kind === 'continue') {
          state = r.state;
          continue;
        }
        if (r.kind === 'fork') {
          for (const f of r.states) frontier.add(f);
          break;
        }
        paths.push({ ...r.path, id: paths.length, program: program.name });
        if (limits.stopAtFirstAbandoned && r.path.end.kind === 'abandoned') return { program: program.name, paths, truncated, instructionsVisited: steps, covered };
        break;
      }
    }
  }
  return { program: program.name, paths, truncated, instructionsVisited: steps, covered };
}

function cover(covered: Map<string, Set<number>>, section: string, slot: number): void {
  let set = covered.get(section);
  if (!set) covered.set(section, (set = new Set<number>()));
  set.add(slot);
}

/**
 * Where paths can meet: blocks with two or more predecessors, and the slots calls return
 * to; by section, then slot (asked before every instruction, so no key is built).
 */
function joinPoints(obj: BpfObject): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const add = (section: string, slot: number): void => {
    let slots = out.get(section);
    if (!slots) out.set(section, (slots = new Set()));
    slots.add(slot);
  };
  for (const f of [...obj.programs, ...obj.subprograms]) {
    for (const b of f.cfg.blocks) if (b.predecessors.length >= 2) add(f.section, b.start);
    for (const c of f.cfg.calls) if (c.kind === 'subprogram') add(f.section, c.slot + 1);
  }
  return out;
}

function liveness(code: CodeIndex): (section: string, slot: number) => number {
  const cache = new Map<string, LiveSets>();
  return (section, slot) => {
    const fn = code.functionAt(section, slot);
    if (!fn) return 0x7ff;
    const key = `${fn.section}:${fn.start}`;
    let sets = cache.get(key);
    if (!sets) {
      sets = liveRegisters(fn);
      cache.set(key, sets);
    }
    return sets.get(slot) ?? 0x7ff;
  };
}

/** Position of a path for ordering: tail calls taken, then each frame's place, outermost first. */
function position(s: PathState, order: ReadonlyMap<string, number>): number[] {
  const out = [countTrail(s.tailCalls)];
  for (let i = 0; i < s.frames.length; i++) {
    const next = s.frames[i + 1];
    if (next) out.push(order.get(next.returnTo!.section) ?? 0, next.returnTo!.slot - 1);
    else out.push(order.get(s.section) ?? 0, s.slot);
  }
  return out;
}

function countTrail<T>(t: { readonly tail: unknown } | null): number {
  let n = 0;
  for (let x = t as { readonly tail: unknown } | null; x; x = x.tail as { readonly tail: unknown } | null) n++;
  return n;
}

function comparePositions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Paths waiting to run; `takeFirst` gives the next ones to run, all at one instruction. */
interface Waiting {
  readonly size: number;
  add(s: PathState): void;
  takeFirst(): PathState[];
}

/** Depth-first: the path added last runs next, alone. */
class Newest implements Waiting {
  private readonly stack: PathState[] = [];

  get size(): number {
    return this.stack.length;
  }

  add(s: PathState): void {
    this.stack.push(s);
  }

  takeFirst(): PathState[] {
    return [this.stack.pop()!];
  }
}

/**
 * Paths waiting to run, grouped by position. The group furthest behind runs first:
 * handling paths in program order lets those that will meet at a join point arrive there
 * before any of them moves on.
 */
class Frontier implements Waiting {
  private readonly groups = new Map<string, { pos: number[]; states: PathState[] }>();
  private count = 0;
  constructor(private readonly order: ReadonlyMap<string, number>) {}

  get size(): number {
    return this.count;
  }

  add(s: PathState): void {
    const pos = position(s, this.order);
    const key = pos.join(',');
    const g = this.groups.get(key);
    if (g) g.states.push(s);
    else this.groups.set(key, { pos, states: [s] });
    this.count++;
  }

  takeFirst(): PathState[] {
    let bestKey = '';
    let best: number[] | undefined;
    for (const [key, g] of this.groups) {
      if (!best || comparePositions(g.pos, best) < 0) {
        best = g.pos;
        bestKey = key;
      }
    }
    const g = this.groups.get(bestKey)!;
    this.groups.delete(bestKey);
    this.count -= g.states.length;
    return g.states;
  }
}

/**
 * The paths of a group after merging whatever can be merged. Paths are bucketed by what
 * must be equal for a merge (lookups made, live registers), and within a bucket only
 * pairs with the same merge signature whose policy guards may merge (mayMerge) are
 * tried; a merge keeps its inputs' signature.
 * mergeStates succeeds for (a, b) exactly when it does for (b, a).
 */
function mergeGroup(group: readonly PathState[], live: number, signatures: MergeSignatures, checkFilter: boolean): PathState[] {
  if (group.length === 1) return [group[0]];
  const buckets = new Map<string, PathState[]>();
  for (const s of group) {
    const sig = signatures.bucket(s, live);
    const b = buckets.get(sig);
    if (b) b.push(s);
    else buckets.set(sig, [s]);
  }
  const out: PathState[] = [];
  for (const bucket of buckets.values()) {
    if (bucket.length === 1) {
      out.push(bucket[0]);
      continue;
    }
    // Representatives by signature; `order` numbers them as they are made, so the bucket's
    // result keeps the order a pairwise scan of one list would give.
    const reps = new Map<string, { state: PathState; order: number }[]>();
    let order = 0;
    for (const s of bucket) {
      const sig = signatures.of(s, live);
      let same = reps.get(sig);
      if (!same) reps.set(sig, (same = []));
      let merged = s;
      for (let again = true; again; ) {
        again = false;
        for (let i = 0; i < same.length; i++) {
          if (!signatures.mayMerge(merged, same[i].state)) {
            if (checkFilter && mergeStates(merged, same[i].state, live)) throw new Error(`the merge filter skipped a merge at ${merged.section}:${merged.slot}`);
            continue;
          }
          const m = mergeStates(merged, same[i].state, live);
          if (m) {
            merged = m;
            same.splice(i, 1);
            again = true;
            break;
          }
        }
      }
      same.push({ state: merged, order: order++ });
    }
    out.push(...[...reps.values()].flat().sort((x, y) => x.order - y.order).map((r) => r.state));
  }
  return out;
}

/**
 * What holds of the context before the first instruction: the interface a packet is on
 * has an ifindex, and no interface has ifindex 0 (a program that tests for 0 is testing
 * a value it copied, not the packet).
 */
function contextFacts(context: ContextKind): Facts {
  const f = contextField(context, context === 'skb' ? 40 : 12, 4);
  if (!f) return new Map();
  return learn('ge', scalar({ kind: 'ctx', field: f.name, size: f.size }), konst(1n), new Map());
}

function initialState(program: BpfProgram, context: ContextKind): PathState {
  const regs: Sym[] = Array.from({ length: 11 }, (_, r) => scalar({ kind: 'unknown', id: -100 - r, why: `r${r} at entry` }));
  regs[1] = ctxPtr(0);
  regs[10] = stackPtr(0, 0);
  const frame: Frame = { id: 0, regs, stack: [], returnTo: undefined };
  return {
    section: program.section, slot: program.start, program: program.name, frames: [frame],
    guards: null, lookups: null, effects: null, facts: contextFacts(context), lookupStatus: new Map(), helperStatus: new Map(),
    packet: [], ctx: new Map(), values: new Map(), globals: new Map(),
    counters: { call: 0, unknown: 0, lookup: 0, frame: 0 }, backEdges: new Map(), tailCalls: null, steps: 0,
  };
}

function end(state: PathState, e: PathSummary['end']): Step {
  return {
    kind: 'end',
    path: { guards: toArray(state.guards), lookups: toArray(state.lookups), effects: toArray(state.effects), end: e, tailCalls: toArray(state.tailCalls) },
  };
}

function abandon(state: PathState, reason: string, cause: AbandonCause = 'construct'): Step {
  return end(state, { kind: 'abandoned', reason, cause, slot: { section: state.section, slot: state.slot } });
}

function lookupMapOf(state: PathState): (id: number) => MapRef | undefined {
  let cache: Lookup[] | undefined;
  return (id) => {
    cache ??= toArray(state.lookups);
    return cache.find((l) => l.id === id)?.map;
  };
}

function step(obj: BpfObject, code: CodeIndex, env: HelperEnv, s0: PathState, limits: LiftLimits, follow: FollowTailCall): Step {
  const insn = code.insn(s0.section, s0.slot);
  if (!insn) return abandon(s0, `no instruction at ${s0.section}:${s0.slot}`);
  if (s0.steps >= limits.maxSteps) return abandon(s0, `more than ${limits.maxSteps} instructions on one path`, 'limit');
  const at: SlotRef = { section: s0.section, slot: s0.slot };
  const steps = s0.steps + 1;
  // Straight-line instructions read s0 and make their successor in one allocation (advance);
  // the rest start from a copy that counts this instruction.
  const next = (st: PathState, r?: number, v?: Sym): Step => ({ kind: 'continue', state: advance(st, s0.slot + insn.slots, steps, r, v) });
  switch (insn.kind) {
    case 'alu':
      return next(s0, insn.dst, alu(s0, insn));
    case 'swap': {
      const v = reg(s0, insn.dst);
      const swapNeeded = insn.swap === 'bswap' || (insn.swap === 'be') === obj.littleEndian;
      const width = insn.bits === 16 ? 'zext16' : insn.bits === 32 ? 'zext32' : undefined;
      const swapped = swapNeeded ? un(insn.bits === 16 ? 'bswap16' : insn.bits === 32 ? 'bswap32' : 'bswap64', v) : width ? un(width, v) : v;
      return next(s0, insn.dst, swapped);
    }
    case 'lddw':
      return next(s0, insn.dst, lddwValue(code, s0, insn.value));
    case 'load': {
      const r = load(env, s0, reg(s0, insn.src), insn.off, insn.size);
      if (!r.ok) return abandon({ ...s0, steps }, r.reason, 'memory');
      const v = insn.signExtend ? un(insn.size === 1 ? 'sext8' : insn.size === 2 ? 'sext16' : 'sext32', r.value) : r.value;
      return next(r.state, insn.dst, v);
    }
    case 'store':
    case 'storeImm': {
      const value = insn.kind === 'store' ? reg(s0, insn.src) : konst(BigInt(insn.imm));
      const r = storeTo(env, s0, reg(s0, insn.dst), insn.off, insn.size, value, at);
      if (!r.ok) return abandon({ ...s0, steps }, r.reason, 'memory');
      return next(r.state);
    }
    case 'packetLoad': {
      const base = insn.mode === 'abs' ? konst(0n) : reg(s0, insn.src);
      const offset = bin('add', base, konst(BigInt(insn.imm)));
      const raw = scalar({ kind: 'pkt', offset: resolve(offset, s0.facts), size: insn.size });
      const value = obj.littleEndian && insn.size > 1 ? un(insn.size === 2 ? 'bswap16' : 'bswap32', raw) : raw;
      return next(s0, 0, value);
    }
    default:
      return control(obj, code, env, { ...s0, steps }, insn, at, limits, follow, next);
  }
}

/** The instructions that are not straight-line code, or that other paths rarely take. */
function control(obj: BpfObject, code: CodeIndex, env: HelperEnv, s: PathState, insn: Exclude<Insn, { kind: 'alu' | 'swap' | 'lddw' | 'load' | 'store' | 'storeImm' | 'packetLoad' }>, at: SlotRef, limits: LiftLimits, follow: FollowTailCall, next: (st: PathState) => Step): Step {
  switch (insn.kind) {
    case 'addrSpaceCast':
      return abandon(s, 'arena address-space casts are not lifted');
    case 'atomic': {
      const ptr = reg(s, insn.dst);
      const value = scalar({ kind: 'unknown', id: -1000 - s.slot, why: `atomic ${insn.op} result` });
      const r = storeTo(env, s, ptr, insn.off, insn.size, value, at, insn.op);
      if (!r.ok) return abandon(s, r.reason, 'memory');
      let st = r.state;
      if (insn.fetch) st = setReg(st, insn.op === 'cmpxchg' ? 0 : insn.src, scalar({ kind: 'unknown', id: -2000 - s.slot, why: `atomic ${insn.op} old value` }));
      return next(st);
    }
    case 'jump':
      return jump(obj, s, insn, limits);
    case 'call':
      return call(obj, code, env, s, insn, at, limits, follow);
    case 'exit':
      return exitFrame(s);
    default: {
      const never: never = insn;
      return never;
    }
  }
}

function lddwValue(code: CodeIndex, s: PathState, value: bigint): Sym {
  const ref = code.reference(s.section, s.slot);
  if (!ref) return konst(value);
  switch (ref.kind) {
    case 'map':
      return mapPtr({ kind: 'map', name: ref.map });
    case 'global':
      return globalPtr(ref.section, ref.offset);
    case 'callback':
      return funcPtr(ref.target.section, ref.target.slot, ref.target.name);
    case 'ksym':
      return scalar({ kind: 'unknown', id: -3000 - s.slot, why: `address of kernel symbol ${ref.name}` });
    default:
      return konst(value);
  }
}

const ALU_OPS: Partial<Record<AluInsn['op'], BinOp>> = {
  add: 'add', sub: 'sub', mul: 'mul', div: 'div', sdiv: 'sdiv', or: 'or', and: 'and', lsh: 'lsh', rsh: 'rsh', mod: 'mod', smod: 'smod', xor: 'xor', arsh: 'arsh',
};

function alu(s: PathState, insn: AluInsn): Sym {
  const dst = reg(s, insn.dst);
  const src = insn.source === 'reg' ? reg(s, insn.src) : konst(BigInt(insn.imm));
  if (insn.op === 'mov') return insn.width === 32 ? un('zext32', src) : src;
  if (insn.op === 'movsx') return un(insn.signExtendFrom === 8 ? 'sext8' : insn.signExtendFrom === 16 ? 'sext16' : 'sext32', src);
  if (insn.op === 'neg') return insn.width === 32 ? un('zext32', un('neg', dst)) : un('neg', dst);
  const op = ALU_OPS[insn.op]!;
  if (insn.width === 64) {
    const p = pointerArith(op, dst, src);
    if (p) return p;
    return bin(op, dst, src);
  }
  // 32-bit: operate on the low halves, zero-extend the result. Shifts and arsh need the
  // operand's low 32 bits only; arsh sign-extends from bit 31.
  const a = un('zext32', dst);
  const b = insn.source === 'reg' ? un('zext32', src) : konst(BigInt(insn.imm >>> 0));
  if (op === 'arsh') return un('zext32', bin('arsh', un('sext32', a), bin('and', b, konst(31n))));
  return un('zext32', bin(op, a, op === 'lsh' || op === 'rsh' ? bin('and', b, konst(31n)) : b));
}

/** Pointer plus or minus a scalar stays a pointer of the same region. */
function pointerArith(op: BinOp, a: Sym, b: Sym): Sym | undefined {
  if (op !== 'add' && op !== 'sub') return undefined;
  const c = b.kind === 'const' ? Number(BigInt.asIntN(64, op === 'add' ? b.value : -b.value)) : undefined;
  switch (a.kind) {
    case 'pktPtr':
      if (b.kind === 'pktPtr' && op === 'sub') return bin('sub', a.offset, b.offset);
      return pktPtr(op === 'add' ? bin('add', a.offset, b) : bin('sub', a.offset, b));
    case 'stackPtr':
      return c === undefined ? undefined : stackPtr(a.frame, a.offset + c);
    case 'ctxPtr':
      return c === undefined ? undefined : ctxPtr(a.offset + c);
    case 'lookupPtr':
      return c === undefined ? undefined : lookupPtr(a.lookup, a.offset + c, a.nonNull);
    case 'globalPtr':
      return c === undefined ? undefined : globalPtr(a.section, a.offset + c);
    default:
      if (op === 'add' && b.kind === 'pktPtr') return pktPtr(bin('add', b.offset, a));
      return undefined;
  }
}

const JUMP_OPS: Partial<Record<JumpInsn['op'], CmpOp>> = {
  jeq: 'eq', jne: 'ne', jgt: 'gt', jge: 'ge', jlt: 'lt', jle: 'le', jsgt: 'sgt', jsge: 'sge', jslt: 'slt', jsle: 'sle', jset: 'set',
};

function jump(obj: BpfObject, s: PathState, insn: JumpInsn, limits: LiftLimits): Step {
  const go = (st: PathState, target: number): Step => {
    if (target <= st.slot) {
      const key = `${st.section}:${target}:${st.frames.length}`;
      const n = (st.backEdges.get(key) ?? 0) + 1;
      if (n > limits.maxLoopIterations) return abandon(st, `loop at ${st.section}:${target} taken more than ${limits.maxLoopIterations} times`, 'limit');
      return { kind: 'continue', state: { ...st, slot: target, backEdges: new Map(st.backEdges).set(key, n) } };
    }
    return { kind: 'continue', state: { ...st, slot: target } };
  };
  if (insn.op === 'ja') return go(s, insn.target);
  if (insn.op === 'may_goto') return go(s, s.slot + 1);
  const op = JUMP_OPS[insn.op]!;
  let a = reg(s, insn.dst);
  let b = insn.source === 'reg' ? reg(s, insn.src) : konst(BigInt(insn.imm));
  if (insn.width === 32) {
    const signed = op.startsWith('s') && op !== 'set';
    a = signed ? un('sext32', un('zext32', a)) : un('zext32', a);
    b = insn.source === 'reg' ? (signed ? un('sext32', un('zext32', b)) : un('zext32', b)) : signed ? konst(BigInt(insn.imm)) : konst(BigInt(insn.imm >>> 0));
  }
  const taken = insn.target;
  const fall = s.slot + 1;
  const outcome = branch(obj, s, op, a, b, limits.assumeHelperSuccess);
  if (outcome.kind === 'decided') return go(outcome.state, outcome.value ? taken : fall);
  const t = go(outcome.ifTrue, taken);
  const f = go(outcome.ifFalse, fall);
  const states = [t, f].filter((x): x is { kind: 'continue'; state: PathState } => x.kind === 'continue').map((x) => x.state);
  if (states.length === 0) return t; // both abandoned: report one
  if (states.length === 1) return { kind: 'continue', state: states[0] };
  return { kind: 'fork', states };
}

type Branch = { kind: 'decided'; value: boolean; state: PathState } | { kind: 'open'; ifTrue: PathState; ifFalse: PathState };

/**
 * The two sides of `a op b`, with what each side learns. Null tests of lookups and of
 * results of helpers that can fail become lookup and helper guards; pointer comparisons
 * within the packet become comparisons of offsets with the packet length.
 */
function branch(obj: BpfObject, s: PathState, op: CmpOp, a0: Sym, b0: Sym, assumeSuccess: boolean): Branch {
  const at: SlotRef = { section: s.section, slot: s.slot };
  let a = a0;
  let b = b0;
  if (a.kind === 'const' && b.kind !== 'const') return branch(obj, s, swapCmp(op), b, a, assumeSuccess);
  // A lookup (or nullable helper pointer) against 0.
  if ((a.kind === 'lookupPtr' || a.kind === 'mapPtr') && b.kind === 'const' && b.value === 0n && (op === 'eq' || op === 'ne')) {
    if (a.kind === 'mapPtr') return { kind: 'decided', value: op === 'ne', state: s };
    const lookup = a.lookup;
    const known = s.lookupStatus.get(lookup);
    if (known !== undefined) return { kind: 'decided', value: op === 'ne' ? known : !known, state: s };
    const hit = (v: boolean): PathState => ({ ...s, lookupStatus: new Map(s.lookupStatus).set(lookup, v), guards: push(s.guards, { kind: 'lookup', lookup, hit: v, slot: at } as Guard) });
    return op === 'ne' ? { kind: 'open', ifTrue: hit(true), ifFalse: hit(false) } : { kind: 'open', ifTrue: hit(false), ifFalse: hit(true) };
  }
  // Results of helpers that can fail, tested for success or failure.
  const test = helperTest(op, a, b);
  if (test) {
    const { call, helper, shape, okWhenTrue } = test;
    const result = test.result;
    const known = s.helperStatus.get(call) ?? (assumeSuccess ? true : undefined);
    const side = (ok: boolean): PathState => {
      const facts = ok ? learn(shape === 'zero' ? 'eq' : 'sge', result, konst(0n), s.facts) : learn('slt', result, konst(0n), s.facts);
      return { ...s, facts, helperStatus: new Map(s.helperStatus).set(call, ok), guards: push(s.guards, { kind: 'helperResult', call, helper, ok, slot: at } as Guard) };
    };
    if (known !== undefined) return { kind: 'decided', value: known ? okWhenTrue : !okWhenTrue, state: s.helperStatus.has(call) ? s : side(known) };
    return okWhenTrue ? { kind: 'open', ifTrue: side(true), ifFalse: side(false) } : { kind: 'open', ifTrue: side(false), ifFalse: side(true) };
  }
  // Packet pointers: compare offsets (data_end is data + pktLen).
  if (a.kind === 'pktPtr' && b.kind === 'pktPtr') {
    a = a.offset;
    b = b.offset;
  } else if (a.kind !== 'const' && a.kind !== 'scalar' && a.kind !== 'bin' && a.kind !== 'un') {
    // Other pointers: equal to themselves, never null once derived.
    if (b.kind === 'const' && b.value === 0n && (op === 'eq' || op === 'ne')) return { kind: 'decided', value: op === 'ne', state: s };
    return { kind: 'decided', value: decide(op, a, b, new Map()) ?? false, state: s };
  }
  const d = decide(op, a, b, s.facts);
  if (d !== undefined) return { kind: 'decided', value: d, state: s };
  const side = (holds: boolean): PathState => {
    const o = holds ? op : negateOp(op);
    return { ...s, facts: learn(o, a, b, s.facts), guards: push(s.guards, { kind: 'cmp', op: o, a, b, slot: at } as Guard) };
  };
  return { kind: 'open', ifTrue: side(true), ifFalse: side(false) };
}

/** A test of a fallible helper's result: which call, and whether `true` means it succeeded. */
interface HelperTest {
  readonly call: number;
  readonly helper: string;
  readonly shape: 'zero' | 'nonneg';
  readonly result: Sym;
  readonly okWhenTrue: boolean;
}

const SIGN32 = 0x80000000n;
const SIGN64 = 1n << 63n;

/**
 * Programs test a helper's result as `r < 0`, `r != 0`, `r > -1` (signed), or its sign
 * bit (`r & 0x80000000`, also after a 32-bit move), in 64 or 32 bits (`(int)r < 0`,
 * -O1's signed JMP32). All of them ask "did it fail?".
 */
function helperTest(op: CmpOp, a: Sym, b: Sym): HelperTest | undefined {
  if (b.kind !== 'const') return undefined;
  let x = a;
  let signBit = false;
  if ((op === 'set' || op === 'clear') && (b.value === SIGN32 || b.value === SIGN64)) signBit = true;
  if ((op === 'eq' || op === 'ne') && b.value === 0n && x.kind === 'bin' && x.op === 'and' && x.b.kind === 'const' && (x.b.value === SIGN32 || x.b.value === SIGN64)) {
    signBit = true;
    x = x.a;
  }
  // A 32-bit view of the result, as often as the code took one: a signed JMP32 test is
  // sext32(zext32(r)), an `(int)r` kept in a 64-bit register is sext32(r).
  while (x.kind === 'un' && (x.op === 'zext32' || x.op === 'sext32')) x = x.a;
  if (x.kind !== 'scalar' || x.source.kind !== 'helper') return undefined;
  const shape = canFail(x.source.helper);
  if (!shape) return undefined;
  const base = { call: x.source.call, helper: x.source.helper, shape, result: x };
  if (signBit) {
    // "sign bit set" is failure.
    const failWhenTrue = op === 'set' || op === 'ne';
    return { ...base, okWhenTrue: !failWhenTrue };
  }
  const v = BigInt.asIntN(64, b.value);
  const okWhen = (cmp: CmpOp): boolean | undefined => {
    if (v === 0n) {
      switch (cmp) {
        case 'eq':
        case 'sle':
          return shape === 'zero' ? true : undefined;
        case 'ne':
        case 'sgt':
          return shape === 'zero' ? false : undefined;
        case 'slt':
          return false;
        case 'sge':
          return true;
        default:
          return undefined;
      }
    }
    if (v === -1n) {
      if (cmp === 'sgt') return true;
      if (cmp === 'sle') return false;
    }
    return undefined;
  };
  const ok = okWhen(op);
  return ok === undefined ? undefined : { ...base, okWhenTrue: ok };
}

function swapCmp(op: CmpOp): CmpOp {
  const m: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle', set: 'set', clear: 'clear' };
  return m[op];
}

function call(obj: BpfObject, code: CodeIndex, env: HelperEnv, s: PathState, insn: Extract<Insn, { kind: 'call' }>, at: SlotRef, limits: LiftLimits, follow: FollowTailCall): Step {
  if (insn.callKind === 'subprogram') {
    const ref = code.reference(s.section, s.slot);
    const target = ref?.kind === 'call' ? { section: ref.target.section, slot: ref.target.slot } : { section: s.section, slot: insn.target };
    if (ref?.kind === 'kfunc') return kfunc(obj, env, s, ref.name, at, follow);
    if (s.frames.length >= 8) return abandon(s, 'bpf-to-bpf calls nest more than 8 deep', 'limit');
    const caller = topFrame(s);
    const id = s.counters.frame + 1;
    const regs: Sym[] = caller.regs.slice();
    regs[10] = stackPtr(id, 0);
    const frame: Frame = { id, regs, stack: [], returnTo: { section: s.section, slot: s.slot + 1 } };
    return { kind: 'continue', state: { ...s, frames: [...s.frames, frame], section: target.section, slot: target.slot, counters: { ...s.counters, frame: id } } };
  }
  if (insn.callKind === 'kfunc') return abandon(s, `kfunc call by BTF id ${insn.btfId}`);
  const name = helperName(insn.helperId) ?? `helper_${insn.helperId}`;
  return helperStep(obj, env, s, name, at, limits, follow);
}

function kfunc(obj: BpfObject, env: HelperEnv, s: PathState, name: string, at: SlotRef, follow: FollowTailCall): Step {
  return helperStep(obj, env, s, name, at, DEFAULT_LIMITS, follow);
}

function helperStep(obj: BpfObject, env: HelperEnv, s: PathState, name: string, at: SlotRef, limits: LiftLimits, follow: FollowTailCall): Step {
  const out = callHelper(env, s, name, at, lookupMapOf(s));
  switch (out.kind) {
    case 'abandon':
      return abandon(s, out.reason, 'helper');
    case 'next': {
      const states = out.states.map((st) => ({ ...st, slot: s.slot + 1 }));
      return states.length === 1 ? { kind: 'continue', state: states[0] } : { kind: 'fork', states };
    }
    case 'tailCall':
      return tailCall(obj, out.state, out.map, out.index, at, limits, follow);
    default: {
      const never: never = out;
      return never;
    }
  }
}

/**
 * A tail call with a constant index into a statically initialised PROG_ARRAY enters the
 * program in that slot; an empty slot (or an index past the end) falls through, as the
 * kernel does. The slot contents are the object's initial ones: a control plane that
 * changes them at run time is outside what the object says.
 */
function tailCall(obj: BpfObject, s: PathState, mapName: string, index0: Sym, at: SlotRef, limits: LiftLimits, follow: FollowTailCall): Step {
  const index = resolve(index0, s.facts);
  const map = obj.maps.find((m) => m.name === mapName);
  if (!map || map.type !== MapType.PROG_ARRAY) return abandon(s, `tail call through ${mapName}, not a PROG_ARRAY`);
  if (index.kind !== 'const') return abandon(s, `tail call through ${mapName} with a variable index`);
  const slot = map.initialSlots.find((x) => BigInt(x.index) === index.value);
  const target = slot?.targetKind === 'program' ? obj.programs.find((p) => p.name === slot.target) : undefined;
  const count = toArray(s.tailCalls).length;
  const refused = !target ? undefined : count >= limits.maxTailCalls ? { why: `more than ${limits.maxTailCalls} tail calls`, stuckAt: undefined } : follow(target.name);
  const notFollowed = refused?.why;
  const effect = { kind: 'tailCall' as const, map: mapName, index, target: target?.name, notFollowed, stuckAt: refused?.stuckAt, slot: at };
  const withEffect: PathState = { ...s, effects: push(s.effects, effect) };
  if (!target || notFollowed !== undefined) {
    return { kind: 'continue', state: setReg({ ...withEffect, slot: s.slot + 1 }, 0, konst(BigInt.asUintN(64, -2n))) };
  }
  const regs: Sym[] = Array.from({ length: 11 }, (_, r) => scalar({ kind: 'unknown', id: -200 - r, why: `r${r} after a tail call` }));
  regs[1] = ctxPtr(0);
  const id = s.counters.frame + 1;
  regs[10] = stackPtr(id, 0);
  return {
    kind: 'continue',
    state: {
      ...withEffect,
      section: target.section, slot: target.start, program: target.name,
      frames: [{ id, regs, stack: [], returnTo: undefined }],
      counters: { ...s.counters, frame: id },
      tailCalls: push(s.tailCalls, target.name),
    },
  };
}

function exitFrame(s: PathState): Step {
  const r0 = resolve(reg(s, 0), s.facts);
  if (s.frames.length === 1) return end(s, { kind: 'return', value: r0 });
  const callee = topFrame(s);
  const frames = s.frames.slice(0, -1);
  const caller = frames[frames.length - 1];
  const regs = caller.regs.slice();
  regs[0] = r0;
  for (let r = 1; r <= 5; r++) regs[r] = scalar({ kind: 'unknown', id: -300 - r, why: 'clobbered by a call' });
  frames[frames.length - 1] = { ...caller, regs };
  return { kind: 'continue', state: { ...s, frames, section: callee.returnTo!.section, slot: callee.returnTo!.slot } };
}
