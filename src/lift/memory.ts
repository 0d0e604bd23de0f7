import type { BpfObject } from '../object/types.js';
import { load as loadStore, pieces, store } from './byte-store.js';
import { contextField, type ContextKind } from './context-fields.js';
import { resolve } from './facts.js';
import type { PathState } from './path-state.js';
import { bin, konst, pktPtr, scalar, type Sym } from './sym.js';
import { push } from './path-state.js';
import type { KeyPiece, SlotRef } from './types.js';

/** What memory accesses need to know besides the path. */
export interface MemoryEnv {
  readonly obj: BpfObject;
  readonly context: ContextKind;
  /** .rodata bytes after --const / profile overrides, by section. */
  readonly rodata: ReadonlyMap<string, Uint8Array>;
}

export type Access<T> = { readonly ok: true; readonly state: PathState; readonly value: T } | { readonly ok: false; readonly reason: string };

const fail = <T>(reason: string): Access<T> => ({ ok: false, reason });

function unknownOf(state: PathState, why: string): { state: PathState; value: Sym } {
  const id = state.counters.unknown + 1;
  return { state: { ...state, counters: { ...state.counters, unknown: id } }, value: scalar({ kind: 'unknown', id, why }) };
}

function constBytes(bytes: Uint8Array, offset: number, size: number, littleEndian: boolean): Sym {
  let v = 0n;
  for (let i = 0; i < size; i++) {
    const b = BigInt(bytes[offset + i] ?? 0);
    v |= littleEndian ? b << BigInt(8 * i) : b << BigInt(8 * (size - 1 - i));
  }
  return konst(v);
}

function frameIndex(state: PathState, frameId: number): number {
  return state.frames.findIndex((f) => f.id === frameId);
}

/** The pointer's target with the instruction offset folded in; packet offsets resolved by facts. */
export function load(env: MemoryEnv, state: PathState, ptr: Sym, off: number, size: number): Access<Sym> {
  const le = env.obj.littleEndian;
  switch (ptr.kind) {
    case 'stackPtr': {
      const i = frameIndex(state, ptr.frame);
      if (i < 0) return fail('load through a stack pointer of a returned frame');
      let st = state;
      const value = loadStore(state.frames[i].stack, ptr.offset + off, size, le, (o, s) => {
        const u = unknownOf(st, `uninitialised stack ${o}:${s}`);
        st = u.state;
        return u.value;
      });
      return { ok: true, state: st, value };
    }
    case 'pktPtr': {
      const offset = resolve(bin('add', ptr.offset, konst(BigInt(off))), state.facts);
      if (offset.kind === 'const' && state.packet.length) {
        const at = Number(offset.value);
        const value = loadStore(state.packet, at, size, le, (o, s) => scalar({ kind: 'pkt', offset: konst(BigInt(o)), size: s }));
        return { ok: true, state, value };
      }
      return { ok: true, state, value: scalar({ kind: 'pkt', offset, size }) };
    }
    case 'ctxPtr': {
      const at = ptr.offset + off;
      const field = contextField(env.context, at, size);
      if (!field) return fail(`context load of ${size} bytes at ${at} names no field`);
      if (field.name === 'data' || field.name === 'data_meta') return { ok: true, state, value: pktPtr(konst(0n)) };
      if (field.name === 'data_end') return { ok: true, state, value: pktPtr(scalar({ kind: 'pktLen' })) };
      const whole = state.ctx.get(field.name) ?? scalar({ kind: 'ctx', field: field.name, size: field.size });
      if (at === field.offset && size === field.size) return { ok: true, state, value: whole };
      const shift = le ? at - field.offset : field.offset + field.size - (at + size);
      const part = bin('and', bin('rsh', whole, konst(BigInt(shift * 8))), konst((1n << BigInt(size * 8)) - 1n));
      return { ok: true, state, value: part };
    }
    case 'lookupPtr': {
      if (state.lookupStatus.get(ptr.lookup) === false) return fail('load through a lookup that found nothing');
      const at = ptr.offset + off;
      const written = state.values.get(ptr.lookup) ?? [];
      const value = loadStore(written, at, size, le, (o, s) => scalar({ kind: 'mapValue', lookup: ptr.lookup, offset: o, size: s }));
      return { ok: true, state, value };
    }
    case 'globalPtr': {
      const at = ptr.offset + off;
      const ro = env.rodata.get(ptr.section);
      if (ro) return { ok: true, state, value: constBytes(ro, at, size, le) };
      const written = state.globals.get(ptr.section) ?? [];
      const value = loadStore(written, at, size, le, (o, s) => scalar({ kind: 'global', section: ptr.section, offset: o, size: s }));
      return { ok: true, state, value };
    }
    case 'helperPtr': {
      const u = unknownOf(state, `memory returned by helper call ${ptr.call}`);
      return { ok: true, state: u.state, value: u.value };
    }
    default:
      return fail(`load through ${ptr.kind === 'scalar' || ptr.kind === 'const' ? 'a non-pointer' : ptr.kind} (${ptr.key})`);
  }
}

export function storeTo(env: MemoryEnv, state: PathState, ptr: Sym, off: number, size: number, value: Sym, at: SlotRef, atomic?: string): Access<undefined> {
  const le = env.obj.littleEndian;
  switch (ptr.kind) {
    case 'stackPtr': {
      const i = frameIndex(state, ptr.frame);
      if (i < 0) return fail('store through a stack pointer of a returned frame');
      const frames = state.frames.slice();
      frames[i] = { ...frames[i], stack: store(frames[i].stack, ptr.offset + off, size, value, le) };
      return { ok: true, state: { ...state, frames }, value: undefined };
    }
    case 'pktPtr': {
      const offset = resolve(bin('add', ptr.offset, konst(BigInt(off))), state.facts);
      const effects = push(state.effects, { kind: 'packetWrite', offset, pieces: [{ offset: 0, size, value }], slot: at });
      const packet = offset.kind === 'const' ? store(state.packet, Number(offset.value), size, value, le) : state.packet;
      return { ok: true, state: { ...state, effects, packet }, value: undefined };
    }
    case 'ctxPtr': {
      const field = contextField(env.context, ptr.offset + off, size);
      if (!field || !field.writable) return fail(`context store of ${size} bytes at ${ptr.offset + off} is not to a writable field`);
      const ctx = new Map(state.ctx);
      ctx.set(field.name, value);
      const effects = push(state.effects, { kind: 'ctxWrite', field: field.name, value, slot: at });
      return { ok: true, state: { ...state, ctx, effects }, value: undefined };
    }
    case 'lookupPtr': {
      if (state.lookupStatus.get(ptr.lookup) === false) return fail('store through a lookup that found nothing');
      const values = new Map(state.values);
      values.set(ptr.lookup, store(values.get(ptr.lookup) ?? [], ptr.offset + off, size, value, le));
      const effects = push(state.effects, { kind: 'mapValueWrite', lookup: ptr.lookup, offset: ptr.offset + off, size, value, atomic, slot: at });
      return { ok: true, state: { ...state, values, effects }, value: undefined };
    }
    case 'globalPtr': {
      if (env.rodata.has(ptr.section)) return fail(`store into read-only ${ptr.section}`);
      const globals = new Map(state.globals);
      globals.set(ptr.section, store(globals.get(ptr.section) ?? [], ptr.offset + off, size, value, le));
      return { ok: true, state: { ...state, globals }, value: undefined };
    }
    case 'helperPtr':
      return { ok: true, state, value: undefined };
    default:
      return fail(`store through ${ptr.kind} (${ptr.key})`);
  }
}

/**
 * The bytes a helper argument points to, as pieces: a key or value built on the stack,
 * a map value, or packet bytes. Undefined when the pointer is not one we follow.
 */
export function readPieces(env: MemoryEnv, state: PathState, ptr: Sym, size: number): { state: PathState; pieces: KeyPiece[] } | undefined {
  const le = env.obj.littleEndian;
  if (ptr.kind === 'stackPtr') {
    const i = frameIndex(state, ptr.frame);
    if (i < 0) return undefined;
    let st = state;
    const ps = pieces(state.frames[i].stack, ptr.offset, size, le, (o, s) => {
      const u = unknownOf(st, `uninitialised stack ${o}:${s}`);
      st = u.state;
      return u.value;
    });
    return { state: st, pieces: ps };
  }
  if (ptr.kind === 'lookupPtr') {
    const written = state.values.get(ptr.lookup) ?? [];
    return { state, pieces: pieces(written, ptr.offset, size, le, (o, s) => scalar({ kind: 'mapValue', lookup: ptr.lookup, offset: o, size: s })) };
  }
  if (ptr.kind === 'pktPtr' && ptr.offset.kind === 'const') {
    const base = Number(ptr.offset.value);
    return { state, pieces: pieces(state.packet, base, size, le, (o, s) => scalar({ kind: 'pkt', offset: konst(BigInt(o)), size: s })).map((p) => ({ ...p })) };
  }
  if (ptr.kind === 'globalPtr') {
    const ro = env.rodata.get(ptr.section);
    if (ro) return { state, pieces: [{ offset: 0, size, value: constBytes(ro, ptr.offset, size, le) }] };
  }
  return undefined;
}

/** Writes pieces into the stack (skb_load_bytes and the like copy into stack buffers). */
export function writePieces(env: MemoryEnv, state: PathState, ptr: Sym, ps: readonly KeyPiece[]): PathState | undefined {
  if (ptr.kind !== 'stackPtr' && ptr.kind !== 'lookupPtr') return undefined;
  let st = state;
  for (const p of ps) {
    const r = storeTo(env, st, ptr, p.offset, p.size, p.value, { section: st.section, slot: st.slot });
    if (!r.ok) return undefined;
    st = r.state;
  }
  return st;
}
