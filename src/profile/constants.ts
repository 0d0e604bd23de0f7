import { fail } from '../errors.js';
import type { TypeSchema } from '../object/schema.js';
import { isNetworkOrder } from '../object/schema.js';
import type { BpfGlobal } from '../object/types.js';
import { isCIdentifier } from './names.js';

/**
 * Overrides of `.rodata` constants (`--const name=value`, or a profile's `constants`),
 * encoded as the loader would write them into the object's `.rodata`.
 *
 * Value forms:
 * - integers: decimal (`-1` only for signed types), `0x` hex, `true`/`false`;
 * - dotted IPv4 for 4-byte integers (the number a.b.c.d, so `__be32` gets bytes a,b,c,d);
 * - a MAC address (`52:54:00:0a:87:02` or with `-`) for 6-byte fields;
 * - `0x` followed by exactly twice the size in hex digits, as raw bytes, for fields that
 *   are not integers (arrays, structs).
 *
 * Integers are written in network order for `__be16/32/64` globals and in the object's
 * byte order otherwise.
 */
export interface ConstAssignment {
  readonly name: string;
  readonly value: string;
  /** Where it was given, as messages start: `--const a=1` or `profile.yaml:57: constants.a`. */
  readonly origin: string;
  /**
   * Whether some object of the run must have the constant: yes for the command line; no
   * for a profile, which may describe objects a run does not translate.
   */
  readonly required: boolean;
}

/** `name=value` from the command line. */
export function parseConstArgument(arg: string): ConstAssignment {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? '' : arg.slice(0, eq).trim();
  const value = eq < 0 ? '' : arg.slice(eq + 1).trim();
  if (!isCIdentifier(name) || value === '') fail('USAGE', `--const ${arg}: expected name=value, with the name of a .rodata global`);
  return { name, value, origin: `--const ${arg}`, required: true };
}

/**
 * Every `--const` of a command line. A name given twice is an error, not "the last one
 * wins": two values for one constant on one command line is a mistake (a script appending
 * to another's arguments), and either value would be translated without a word.
 */
export function parseConstArguments(args: readonly string[]): ConstAssignment[] {
  const seen = new Map<string, string>();
  return args.map((arg) => {
    const a = parseConstArgument(arg);
    const first = seen.get(a.name);
    if (first !== undefined) fail('USAGE', `--const ${arg}: ${a.name} is already set by --const ${first}; give each constant once`);
    seen.set(a.name, arg);
    return a;
  });
}

/** The overrides of one object: those naming its `.rodata` globals; others are left for other objects. */
export function constantOverrides(globals: readonly BpfGlobal[], littleEndian: boolean, assignments: readonly ConstAssignment[]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const a of assignments) {
    const g = globals.find((x) => x.name === a.name);
    if (!g) continue;
    if (!g.section.startsWith('.rodata')) {
      fail('CONST_INVALID', `${a.origin}: ${a.name} is a global in ${g.section}, not a .rodata constant; only constants can be set for the translation`);
    }
    // A later assignment of the same name wins: the command line comes after the profile.
    out.set(a.name, encodeConstant(g, a.value, littleEndian, a.origin));
  }
  return out;
}

export function encodeConstant(global: BpfGlobal, value: string, littleEndian: boolean, origin = `${global.name}=${value}`): Uint8Array {
  const what = origin;
  const type = describe(global);
  const bad = (why: string): never => fail('CONST_INVALID', `${what}: ${why} (${global.name} is ${type}, ${global.size} bytes)`);
  const schema = global.schema;
  const integer = schema ? schema.kind === 'int' || schema.kind === 'enum' : [1, 2, 4, 8].includes(global.size);
  if (schema?.kind === 'float') bad('floating-point constants cannot be set');
  const mac = parseMac(value);
  if (mac) {
    if (global.size !== 6) bad('a MAC address needs a 6-byte field');
    return mac;
  }
  if (!integer) {
    const raw = /^0x([0-9a-fA-F]+)$/.exec(value);
    if (!raw || raw[1].length !== global.size * 2) bad(`give the bytes as 0x and ${global.size * 2} hex digits${global.size === 6 ? ', or a MAC address' : ''}`);
    return Uint8Array.from(raw![1].match(/../g)!.map((b) => parseInt(b, 16)));
  }
  const n = parseInteger(value, global.size) ?? bad('not a decimal or 0x number, true/false, or (for 4 bytes) a dotted IPv4 address');
  const bits = BigInt(global.size * 8);
  const signed = schema !== undefined && (schema.kind === 'int' || schema.kind === 'enum') && schema.signed;
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (n < min || n > max) bad(`out of range ${min}..${max}`);
  const bigEndian = (schema !== undefined && isNetworkOrder(schema)) || !littleEndian;
  return intBytes(BigInt.asUintN(Number(bits), n), global.size, bigEndian);
}

function parseInteger(s: string, size: number): bigint | null {
  if (s === 'true') return 1n;
  if (s === 'false') return 0n;
  if (/^-?[0-9]+$/.test(s)) return BigInt(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return BigInt(s);
  const ip = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(s);
  if (ip && size === 4) {
    const octets = ip.slice(1).map(Number);
    if (octets.every((o) => o <= 255)) return octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
  }
  return null;
}

function parseMac(s: string): Uint8Array | null {
  const m = /^([0-9a-fA-F]{2})([:-])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/.exec(s);
  if (!m) return null;
  return Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]].map((b) => parseInt(b, 16)));
}

function intBytes(v: bigint, size: number, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const byte = Number((v >> BigInt(8 * i)) & 0xffn);
    out[bigEndian ? size - 1 - i : i] = byte;
  }
  return out;
}

function describe(g: BpfGlobal): string {
  return g.schema ? typeName(g.schema) : 'of unknown type';
}

function typeName(t: TypeSchema): string {
  switch (t.kind) {
    case 'int':
    case 'float':
    case 'opaque':
      return t.name || `${t.size}-byte ${t.kind}`;
    case 'enum':
      return `enum ${t.name}`;
    case 'struct':
    case 'union':
      return `${t.kind} ${t.name}`;
    case 'array':
      return `${typeName(t.element)}[${t.length}]`;
    case 'pointer':
      return `${t.target} *`;
    default: {
      const never: never = t;
      return String(never);
    }
  }
}
