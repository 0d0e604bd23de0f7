import { bigUintOf } from '../../bytes.js';
import { decideConst } from '../facts.js';
import { evaluate } from '../eval-sym.js';
import type { Sym } from '../sym.js';
import type { CmpOp, Guard } from '../types.js';

/**
 * A test on the value an address set's entry holds (an allow entry's flags): it splits
 * the set in two pf tables, the entries whose value passes and the rest. Evaluated on
 * each snapshot entry when the tables are written.
 */
export interface ValueCondition {
  /** The same test on every path, whatever the lookup's number there. */
  readonly key: string;
  /** For people: `value & 0x1 != 0`. */
  readonly text: string;
  /** The test on one entry's value bytes (object byte order); undefined: cannot tell. */
  readonly test: (value: Uint8Array, littleEndian: boolean) => boolean | undefined;
}

const NEGATION: Readonly<Record<CmpOp, CmpOp>> = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le', slt: 'sge', sge: 'slt', sle: 'sgt', sgt: 'sle', set: 'clear', clear: 'set' };
/** The ops a condition is keyed by; a guard with the other op is the same condition not holding. */
const POSITIVE: ReadonlySet<CmpOp> = new Set(['eq', 'lt', 'le', 'slt', 'sle', 'set']);
const OP_TEXT: Readonly<Record<CmpOp, string>> = { eq: '==', ne: '!=', lt: '<', ge: '>=', le: '<=', gt: '>', slt: '<s', sge: '>=s', sle: '<=s', sgt: '>s', set: '& ... != 0', clear: '& ... == 0' };

/** The symbol with lookup numbers left out: `v[offset:size]` for the value's bytes. */
function render(s: Sym, lookup: number): string | undefined {
  switch (s.kind) {
    case 'const':
      return `0x${s.value.toString(16)}`;
    case 'scalar':
      return s.source.kind === 'mapValue' && s.source.lookup === lookup ? `v[${s.source.offset}:${s.source.size}]` : undefined;
    case 'un': {
      const a = render(s.a, lookup);
      return a === undefined ? undefined : `${s.op}(${a})`;
    }
    case 'bin': {
      const a = render(s.a, lookup);
      const b = render(s.b, lookup);
      return a === undefined || b === undefined ? undefined : `(${a} ${s.op} ${b})`;
    }
    default:
      return undefined;
  }
}

/**
 * The condition a guard states on the value of lookup `lookup` only (constants and that
 * value's bytes), and whether it holds on the path; undefined for any other guard.
 */
export function valueCondition(g: Guard, lookup: number): { condition: ValueCondition; holds: boolean } | undefined {
  if (g.kind !== 'cmp') return undefined;
  const a = render(g.a, lookup);
  const b = render(g.b, lookup);
  if (a === undefined || b === undefined) return undefined;
  const holds = POSITIVE.has(g.op);
  const op = holds ? g.op : NEGATION[g.op];
  const key = `${op}:${a}:${b}`;
  const text = op === 'set' ? `${a} & ${b} != 0` : `${a} ${OP_TEXT[op]} ${b}`;
  const test = (value: Uint8Array, le: boolean): boolean | undefined => {
    const leaf = (x: Extract<Sym, { kind: 'scalar' }>): bigint | undefined => {
      if (x.source.kind !== 'mapValue' || x.source.lookup !== lookup || value.length < x.source.offset + x.source.size) return undefined;
      return bigUintOf(value.subarray(x.source.offset, x.source.offset + x.source.size), le);
    };
    const va = evaluate(g.a, leaf);
    const vb = evaluate(g.b, leaf);
    return va === undefined || vb === undefined ? undefined : decideConst(op, va, vb);
  };
  return { condition: { key, text, test }, holds };
}
