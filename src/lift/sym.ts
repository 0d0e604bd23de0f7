/**
 * Symbolic values of the lifter. A register or memory cell holds one of these; guards
 * and effects are built from them. Every value has a canonical `key` string, so two
 * reads of the same packet bytes, the same context field or the same map value field
 * are recognised as the same quantity (which is what lets a later comparison be decided
 * by an earlier one).
 *
 * Scalars are 64-bit; 32-bit ALU results are modelled by an explicit `zext32`.
 */

export type Width = 32 | 64;

/** Where a scalar came from. */
export type Source =
  /** A context field (`__sk_buff` or `xdp_md`), by name. */
  | { readonly kind: 'ctx'; readonly field: string; readonly size: number }
  /** Packet bytes at `offset` (relative to data), `size` bytes, as loaded (object byte order). */
  | { readonly kind: 'pkt'; readonly offset: Sym; readonly size: number }
  /** The packet length (data_end - data). */
  | { readonly kind: 'pktLen' }
  /** A field of the value a lookup found: `lookup` is the path's lookup number. */
  | { readonly kind: 'mapValue'; readonly lookup: number; readonly offset: number; readonly size: number }
  /** A writable global (.data/.bss) or a .rodata byte range we could not read. */
  | { readonly kind: 'global'; readonly section: string; readonly offset: number; readonly size: number }
  /** The result of a helper call (number `call` on the path). */
  | { readonly kind: 'helper'; readonly helper: string; readonly call: number }
  /** Something the lifter does not follow; `why` says what. */
  | { readonly kind: 'unknown'; readonly id: number; readonly why: string }
  /**
   * Two paths merged where their values differed: either value, nobody knows which.
   * `of` is a short digest of the two values, so the same merge gives the same symbol.
   */
  | { readonly kind: 'merged'; readonly of: string };

export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'sdiv' | 'smod' | 'or' | 'and' | 'xor' | 'lsh' | 'rsh' | 'arsh';
export type UnOp = 'neg' | 'bswap16' | 'bswap32' | 'bswap64' | 'zext8' | 'zext16' | 'zext32' | 'sext8' | 'sext16' | 'sext32';

export type Sym =
  | { readonly kind: 'const'; readonly value: bigint; readonly key: string }
  | { readonly kind: 'scalar'; readonly source: Source; readonly key: string }
  /** `traffic`: whether some leaf is a packet or context value (kept so nobody walks the tree). */
  | { readonly kind: 'bin'; readonly op: BinOp; readonly a: Sym; readonly b: Sym; readonly key: string; readonly traffic: boolean }
  | { readonly kind: 'un'; readonly op: UnOp; readonly a: Sym; readonly key: string; readonly traffic: boolean }
  /** Pointer to the context. */
  | { readonly kind: 'ctxPtr'; readonly offset: number; readonly key: string }
  /** Pointer into the packet: data + offset (data_end is data + pktLen). */
  | { readonly kind: 'pktPtr'; readonly offset: Sym; readonly key: string }
  /** Pointer into a stack frame (offset from r10 of that frame, negative). */
  | { readonly kind: 'stackPtr'; readonly frame: number; readonly offset: number; readonly key: string }
  /** The address of a map (lddw of a map, or an inner map found by a lookup). */
  | { readonly kind: 'mapPtr'; readonly map: MapRef; readonly key: string }
  /** The value pointer a lookup returned; null until a guard says otherwise. */
  | { readonly kind: 'lookupPtr'; readonly lookup: number; readonly offset: number; readonly nonNull: boolean; readonly key: string }
  /** Pointer into a data section (.rodata, .data, .bss). */
  | { readonly kind: 'globalPtr'; readonly section: string; readonly offset: number; readonly key: string }
  /** Pointer into memory a helper returned (ringbuf reservation, dynptr slice...). */
  | { readonly kind: 'helperPtr'; readonly call: number; readonly offset: number; readonly key: string }
  /** The address of a function (a callback for bpf_loop, timers, for_each_map_elem). */
  | { readonly kind: 'funcPtr'; readonly section: string; readonly slot: number; readonly name: string; readonly key: string };

/** A map as the lifter names it: a map of the object, or the inner map a lookup found. */
export type MapRef = { readonly kind: 'map'; readonly name: string } | { readonly kind: 'inner'; readonly lookup: number; readonly outer: string };

export const U64 = (1n << 64n) - 1n;

export function mapRefKey(m: MapRef): string {
  return m.kind === 'map' ? m.name : `${m.outer}[#${m.lookup}]`;
}

function sourceKey(s: Source): string {
  switch (s.kind) {
    case 'ctx':
      return `ctx.${s.field}`;
    case 'pkt':
      return `pkt[${s.offset.key}:${s.size}]`;
    case 'pktLen':
      return 'pktlen';
    case 'mapValue':
      return `val#${s.lookup}[${s.offset}:${s.size}]`;
    case 'global':
      return `${s.section}[${s.offset}:${s.size}]`;
    case 'helper':
      return `${s.helper}#${s.call}`;
    case 'unknown':
      return `?${s.id}`;
    case 'merged':
      return `phi(${s.of})`;
    default: {
      const never: never = s;
      return never;
    }
  }
}

export function konst(value: bigint): Sym {
  const v = BigInt.asUintN(64, value);
  return { kind: 'const', value: v, key: `0x${v.toString(16)}` };
}

export function scalar(source: Source): Sym {
  return { kind: 'scalar', source, key: sourceKey(source) };
}

export function ctxPtr(offset: number): Sym {
  return { kind: 'ctxPtr', offset, key: `&ctx+${offset}` };
}

export function pktPtr(offset: Sym): Sym {
  return { kind: 'pktPtr', offset, key: `&pkt+${offset.key}` };
}

export function stackPtr(frame: number, offset: number): Sym {
  return { kind: 'stackPtr', frame, offset, key: `&stack${frame}${offset}` };
}

export function mapPtr(map: MapRef): Sym {
  return { kind: 'mapPtr', map, key: `&map:${mapRefKey(map)}` };
}

export function lookupPtr(lookup: number, offset: number, nonNull: boolean): Sym {
  return { kind: 'lookupPtr', lookup, offset, nonNull, key: `&val#${lookup}+${offset}${nonNull ? '' : '?'}` };
}

export function globalPtr(section: string, offset: number): Sym {
  return { kind: 'globalPtr', section, offset, key: `&${section}+${offset}` };
}

export function helperPtr(call: number, offset: number): Sym {
  return { kind: 'helperPtr', call, offset, key: `&h#${call}+${offset}` };
}

export function funcPtr(section: string, slot: number, name: string): Sym {
  return { kind: 'funcPtr', section, slot, name, key: `&fn:${name}` };
}

export function isConst(s: Sym): s is Extract<Sym, { kind: 'const' }> {
  return s.kind === 'const';
}

export function isPointer(s: Sym): boolean {
  return s.kind !== 'const' && s.kind !== 'scalar' && s.kind !== 'bin' && s.kind !== 'un';
}

const SWAP = (v: bigint, bytes: number): bigint => {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
};

export function foldUn(op: UnOp, v: bigint): bigint {
  switch (op) {
    case 'neg':
      return BigInt.asUintN(64, -v);
    case 'bswap16':
      return SWAP(v & 0xffffn, 2);
    case 'bswap32':
      return SWAP(v & 0xffffffffn, 4);
    case 'bswap64':
      return SWAP(v, 8);
    case 'zext8':
      return v & 0xffn;
    case 'zext16':
      return v & 0xffffn;
    case 'zext32':
      return v & 0xffffffffn;
    case 'sext8':
      return BigInt.asUintN(64, BigInt.asIntN(8, v));
    case 'sext16':
      return BigInt.asUintN(64, BigInt.asIntN(16, v));
    case 'sext32':
      return BigInt.asUintN(64, BigInt.asIntN(32, v));
    default: {
      const never: never = op;
      return never;
    }
  }
}

export function foldBin(op: BinOp, a: bigint, b: bigint): bigint {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return b === 0n ? 0n : a / b;
    case 'mod':
      return b === 0n ? a : a % b;
    case 'sdiv': {
      const sa = BigInt.asIntN(64, a);
      const sb = BigInt.asIntN(64, b);
      return sb === 0n ? 0n : sa / sb;
    }
    case 'smod': {
      const sa = BigInt.asIntN(64, a);
      const sb = BigInt.asIntN(64, b);
      return sb === 0n ? sa : sa % sb;
    }
    case 'or':
      return a | b;
    case 'and':
      return a & b;
    case 'xor':
      return a ^ b;
    case 'lsh':
      return a << (b & 63n);
    case 'rsh':
      return a >> (b & 63n);
    case 'arsh':
      return BigInt.asIntN(64, a) >> (b & 63n);
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** A stable short digest of two keys (FNV-1a), so merged symbols have bounded keys. */
export function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The value of two merged paths: `a` when both agree, else a merged symbol. */
export function phi(a: Sym, b: Sym): Sym {
  if (a.key === b.key) return a;
  const [x, y] = a.key < b.key ? [a.key, b.key] : [b.key, a.key];
  return scalar({ kind: 'merged', of: digest(`${x}|${y}`) });
}

/**
 * Bits a symbol must have set (`one`) and may have set (`may`), from its structure: what
 * decides `(x | 2) == 0` or `((x & 1) & 2) != 0` without knowing x.
 */
export function knownBits(s: Sym, depth = 0): { one: bigint; may: bigint } {
  // Deep expressions (checksums, hashes) are shared DAGs: looking further costs more than it tells.
  if (depth > 8) return { one: 0n, may: U64 };
  switch (s.kind) {
    case 'const':
      return { one: s.value, may: s.value };
    case 'scalar':
      return { one: 0n, may: maxValue(s) === U64 ? U64 : (1n << BigInt(bitLength(maxValue(s)))) - 1n };
    case 'un': {
      const a = knownBits(s.a, depth + 1);
      const keep = s.op === 'zext8' ? 0xffn : s.op === 'zext16' ? 0xffffn : s.op === 'zext32' ? 0xffffffffn : undefined;
      if (keep !== undefined) return { one: a.one & keep, may: a.may & keep };
      return { one: 0n, may: U64 };
    }
    case 'bin': {
      if (s.op !== 'and' && s.op !== 'or' && s.op !== 'lsh' && s.op !== 'rsh') return { one: 0n, may: U64 };
      const a = knownBits(s.a, depth + 1);
      const b = knownBits(s.b, depth + 1);
      if (s.op === 'and') return { one: a.one & b.one, may: a.may & b.may };
      if (s.op === 'or') return { one: a.one | b.one, may: a.may | b.may };
      if (s.b.kind !== 'const' || s.b.value > 63n) return { one: 0n, may: U64 };
      const n = s.b.value;
      return s.op === 'lsh' ? { one: (a.one << n) & U64, may: (a.may << n) & U64 } : { one: a.one >> n, may: a.may >> n };
    }
    default:
      return { one: 0n, may: U64 };
  }
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** The maximum value a symbol can take, when its width says so (for simplifications). */
export function maxValue(s: Sym, depth = 0): bigint {
  if (depth > 8) return U64;
  if (s.kind === 'const') return s.value;
  if (s.kind === 'scalar') {
    const size = 'size' in s.source ? s.source.size : 8;
    return (1n << BigInt(size * 8)) - 1n;
  }
  if (s.kind === 'un') {
    if (s.op === 'zext8') return 0xffn;
    if (s.op === 'zext16' || s.op === 'bswap16') return 0xffffn;
    if (s.op === 'zext32' || s.op === 'bswap32') return 0xffffffffn;
  }
  if (s.kind === 'bin' && s.op === 'and') {
    const ma = maxValue(s.a, depth + 1);
    const mb = maxValue(s.b, depth + 1);
    return ma < mb ? ma : mb;
  }
  if (s.kind === 'bin' && s.op === 'rsh' && s.b.kind === 'const') return maxValue(s.a, depth + 1) >> s.b.value;
  if (s.kind === 'bin' && (s.op === 'or' || s.op === 'xor')) {
    // No more bits than the wider operand.
    const ma = maxValue(s.a, depth + 1);
    const mb = maxValue(s.b, depth + 1);
    return (1n << BigInt(bitLength(ma > mb ? ma : mb))) - 1n;
  }
  if (s.kind === 'bin' && s.op === 'lsh' && s.b.kind === 'const' && s.b.value < 64n) {
    const shifted = maxValue(s.a, depth + 1) << s.b.value;
    return shifted <= U64 ? shifted : U64;
  }
  if (s.kind === 'bin' && s.op === 'add') {
    // A sum that cannot wrap: a length plus one stays a small number.
    const sum = maxValue(s.a, depth + 1) + maxValue(s.b, depth + 1);
    return sum <= U64 ? sum : U64;
  }
  if (s.kind === 'bin' && s.op === 'mod' && s.b.kind === 'const' && s.b.value > 0n) {
    const ma = maxValue(s.a, depth + 1);
    return ma < s.b.value - 1n ? ma : s.b.value - 1n;
  }
  return U64;
}

export function un(op: UnOp, a: Sym): Sym {
  if (a.kind === 'const') return konst(foldUn(op, a.value));
  // A zero-extension of something that already fits changes nothing.
  const limit = op === 'zext8' ? 0xffn : op === 'zext16' ? 0xffffn : op === 'zext32' ? 0xffffffffn : undefined;
  if (limit !== undefined && maxValue(a) <= limit) return a;
  if ((op === 'bswap16' || op === 'bswap32' || op === 'bswap64') && a.kind === 'un' && a.op === op) return a.a;
  return { kind: 'un', op, a, key: `${op}(${a.key})`, traffic: fromTraffic(a) };
}

/** The operands of a chain of `or`s, left to right. */
export function orTerms(s: Sym): Sym[] {
  return s.kind === 'bin' && s.op === 'or' ? [...orTerms(s.a), ...orTerms(s.b)] : [s];
}

/** An `or` of parts at least one of which is shifted into place: a value assembled from fields. */
function isAssembly(s: Sym, depth = 0): boolean {
  if (depth > 8 || s.kind !== 'bin') return false;
  if (s.op === 'lsh' && s.b.kind === 'const') return true;
  return s.op === 'or' && (isAssembly(s.a, depth + 1) || isAssembly(s.b, depth + 1));
}

/** Sums are kept as (symbolic part) + constant, so offsets compare structurally. */
export function bin(op: BinOp, a: Sym, b: Sym): Sym {
  if (a.kind === 'const' && b.kind === 'const') return konst(foldBin(op, a.value, b.value));
  if (op === 'add' || op === 'sub') {
    if (b.kind === 'const' && b.value === 0n) return a;
    if (op === 'add' && a.kind === 'const' && a.value === 0n) return b;
    // (x + c1) + c2 -> x + (c1 + c2)
    if (b.kind === 'const' && a.kind === 'bin' && a.op === 'add' && a.b.kind === 'const') {
      const c = op === 'add' ? a.b.value + b.value : a.b.value - b.value;
      return bin('add', a.a, konst(c));
    }
    if (op === 'sub' && b.kind === 'const') return bin('add', a, konst(-b.value));
    if (op === 'add' && a.kind === 'const') return bin('add', b, a);
    if (op === 'sub' && a.key === b.key) return konst(0n);
  }
  if (op === 'and' && b.kind === 'const') {
    if (b.value === 0n || (knownBits(a).may & b.value) === 0n) return konst(0n);
    if ((maxValue(a) & ~b.value) === 0n) return a; // the mask keeps every bit a can have
  }
  if ((op === 'or' || op === 'xor' || op === 'lsh' || op === 'rsh' || op === 'arsh') && b.kind === 'const' && b.value === 0n) return a;
  if ((op === 'or' || op === 'xor') && a.kind === 'const' && a.value === 0n) return b;
  if (op === 'rsh' && b.kind === 'const' && b.value > 0n && b.value < 64n) {
    // Shifting out every bit a value can have; and a part of an assembled value
    // (`lo | hi << 32`, a struct copied eight bytes at a time) that the shift drops.
    if (maxValue(a) >> b.value === 0n) return konst(0n);
    if (a.kind === 'bin' && a.op === 'or' && isAssembly(a)) return bin('or', bin('rsh', a.a, b), bin('rsh', a.b, b));
    // (x << m) >> n where nothing was shifted out of 64 bits: one shift.
    if (a.kind === 'bin' && a.op === 'lsh' && a.b.kind === 'const' && a.b.value < 64n && maxValue(a.a) << a.b.value <= U64) {
      return a.b.value >= b.value ? bin('lsh', a.a, konst(a.b.value - b.value)) : bin('rsh', a.a, konst(b.value - a.b.value));
    }
  }
  if (op === 'and' && b.kind === 'const' && a.kind === 'bin' && a.op === 'or' && isAssembly(a)) {
    // A field taken out of an assembled value: the parts outside the mask go.
    const terms = orTerms(a);
    const kept = terms.map((t) => bin('and', t, b)).filter((t) => !(t.kind === 'const' && t.value === 0n));
    if (kept.length < terms.length) return kept.length === 0 ? konst(0n) : kept.reduce((x, y) => bin('or', x, y));
  }
  // (x << c) >> c keeps the low 64 - c bits; (x << c) s>> c sign-extends them. -mcpu=v1
  // code, which has no 32-bit ALU or jumps, extends every 32-bit value so.
  if ((op === 'rsh' || op === 'arsh') && b.kind === 'const' && b.value > 0n && b.value < 64n && a.kind === 'bin' && a.op === 'lsh' && a.b.kind === 'const' && a.b.value === b.value) {
    const bits = 64n - b.value;
    const ext = bits === 32n ? '32' : bits === 16n ? '16' : bits === 8n ? '8' : undefined;
    if (ext) return un(op === 'rsh' ? `zext${ext}` : `sext${ext}`, a.a);
    if (op === 'rsh') return bin('and', a.a, konst((1n << bits) - 1n));
  }
  if (op === 'mul' && b.kind === 'const' && b.value === 1n) return a;
  if (op === 'and' && a.kind === 'const' && b.kind !== 'const') return bin('and', b, a);
  return { kind: 'bin', op, a, b, key: `(${a.key} ${op} ${b.key})`, traffic: fromTraffic(a) || fromTraffic(b) };
}

/** Splits x + c into (x, c); a constant is (undefined, c). */
export function splitOffset(s: Sym): { base: Sym | undefined; delta: bigint } {
  if (s.kind === 'const') return { base: undefined, delta: BigInt.asIntN(64, s.value) };
  if (s.kind === 'bin' && s.op === 'add' && s.b.kind === 'const') return { base: s.a, delta: BigInt.asIntN(64, s.b.value) };
  return { base: s, delta: 0n };
}

/** Whether a value depends on the packet or the context. */
export function fromTraffic(s: Sym): boolean {
  switch (s.kind) {
    case 'const':
      return false;
    case 'scalar':
      return s.source.kind === 'pkt' || s.source.kind === 'pktLen' || s.source.kind === 'ctx';
    case 'bin':
    case 'un':
      return s.traffic;
    case 'pktPtr':
      return true;
    default:
      return false;
  }
}
