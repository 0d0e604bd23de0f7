import { ByteWindow } from '../bytes.js';
import { fail } from '../errors.js';
import { readBtfString } from './strings.js';
import {
  BTF_KIND, referencedTypeIds,
  type Btf, type BtfHeader, type BtfKindName, type BtfMember, type BtfParam, type BtfSecinfo,
  type BtfType,
} from './types.js';

/** Bytes of the fixed header every BTF version has (through str_len). */
const BASE_HEADER_LEN = 24;
const TYPE_RECORD_LEN = 12;

const KIND_BY_NUMBER: readonly BtfKindName[] = (() => {
  const out: BtfKindName[] = [];
  for (const [name, n] of Object.entries(BTF_KIND)) out[n] = name as BtfKindName;
  return out;
})();

/**
 * Parse a `.BTF` section. The magic decides the byte order; every offset, count, string
 * and type id is checked before it is used, so hostile input ends in a Bpf2pfError with a
 * BTF_* code, and no allocation is sized by an unchecked count.
 */
export function parseBtf(bytes: Uint8Array): Btf {
  const littleEndian = byteOrderOf(bytes, '.BTF');
  const w = new ByteWindow(bytes, littleEndian, '.BTF', 'BTF_RANGE');
  const header = readHeader(w);
  const typeStart = header.hdrLen + header.typeOff;
  const strStart = header.hdrLen + header.strOff;
  const strings = checkedStringSection(bytes.subarray(strStart, strStart + header.strLen));
  const typeWindow = w.slice(typeStart, header.typeLen, '.BTF type section');
  const types = readTypes(typeWindow, strings, typeStart);
  checkReferences(types);
  return { littleEndian, header, types, strings };
}

/** `9f eb` is 0xEB9F stored little endian, `eb 9f` big endian; anything else is not BTF. */
export function byteOrderOf(bytes: Uint8Array, what: string): boolean {
  if (bytes.length < 2) fail('BTF_BAD_HEADER', `${what}: ${bytes.length} bytes is too short for a header`);
  if (bytes[0] === 0x9f && bytes[1] === 0xeb) return true;
  if (bytes[0] === 0xeb && bytes[1] === 0x9f) return false;
  return fail('BTF_BAD_HEADER', `${what}: bad magic ${hex2(bytes[0])} ${hex2(bytes[1])} (want 9f eb or eb 9f)`);
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function readHeader(w: ByteWindow): BtfHeader {
  if (w.length < BASE_HEADER_LEN) fail('BTF_BAD_HEADER', `.BTF: ${w.length} bytes is too short for a header`);
  const version = w.u8(2);
  if (version !== 1) fail('BTF_BAD_HEADER', `.BTF: unsupported version ${version}`);
  const hdrLen = w.u32(4, 'hdr_len');
  if (hdrLen < BASE_HEADER_LEN || hdrLen > w.length) {
    fail('BTF_BAD_HEADER', `.BTF: hdr_len ${hdrLen} is not between ${BASE_HEADER_LEN} and the section size ${w.length}`);
  }
  // Newer headers append layout_off/layout_len; anything past them is not ours to read.
  const hasLayout = hdrLen >= 32;
  const header: BtfHeader = {
    version,
    flags: w.u8(3),
    hdrLen,
    typeOff: w.u32(8, 'type_off'),
    typeLen: w.u32(12, 'type_len'),
    strOff: w.u32(16, 'str_off'),
    strLen: w.u32(20, 'str_len'),
    layoutOff: hasLayout ? w.u32(24, 'layout_off') : 0,
    layoutLen: hasLayout ? w.u32(28, 'layout_len') : 0,
  };
  for (const [name, off, len] of [
    ['type', header.typeOff, header.typeLen],
    ['string', header.strOff, header.strLen],
    ['layout', header.layoutOff, header.layoutLen],
  ] as const) {
    if (hdrLen + off + len > w.length) {
      fail('BTF_RANGE', `.BTF: ${name} section [${off}, +${len}) runs past the end of the section (${w.length - hdrLen} bytes after the header)`);
    }
  }
  return header;
}

/** The kernel's rule: a string section starts with the empty string and ends with a NUL. */
function checkedStringSection(strings: Uint8Array): Uint8Array {
  if (strings.length === 0) fail('BTF_BAD_STRING', '.BTF: the string section is empty');
  if (strings[0] !== 0) fail('BTF_BAD_STRING', '.BTF: the string section does not start with a NUL');
  if (strings[strings.length - 1] !== 0) fail('BTF_BAD_STRING', '.BTF: the string section does not end with a NUL');
  return strings;
}

/** Bytes of trailing data per kind: fixed, and per vlen element. */
function trailingSize(kind: BtfKindName, vlen: number): number {
  switch (kind) {
    case 'int': case 'var': case 'decl_tag': return 4;
    case 'array': return 12;
    case 'struct': case 'union': case 'datasec': case 'enum64': return 12 * vlen;
    case 'enum': case 'func_proto': return 8 * vlen;
    case 'void': case 'ptr': case 'fwd': case 'typedef': case 'volatile': case 'const':
    case 'restrict': case 'func': case 'float': case 'type_tag':
      return 0;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function readTypes(w: ByteWindow, strings: Uint8Array, sectionBase: number): BtfType[] {
  const types: BtfType[] = [{ kind: 'void', id: 0, name: '' }];
  let off = 0;
  while (off < w.length) {
    const id = types.length;
    const what = `.BTF type [${id}]`;
    if (off + TYPE_RECORD_LEN > w.length) {
      fail('BTF_RANGE', `${what}: record at type offset ${off} is truncated (${w.length - off} bytes left)`);
    }
    const info = w.u32(off + 4, 'info');
    // 24-bit vlen and 7-bit kind as upstream; older BTF keeps the extra bits zero.
    const vlen = info & 0xffffff;
    const kindNumber = (info >>> 24) & 0x7f;
    const kindFlag = info >>> 31 === 1;
    const kind = KIND_BY_NUMBER[kindNumber];
    if (kind === undefined || kind === 'void') fail('BTF_BAD_TYPE', `${what}: unknown kind ${kindNumber}`);
    const extra = trailingSize(kind, vlen);
    if (off + TYPE_RECORD_LEN + extra > w.length) {
      fail('BTF_BAD_COUNT', `${what}: ${kind} with vlen ${vlen} needs ${extra} bytes but only ${w.length - off - TYPE_RECORD_LEN} remain`);
    }
    const rec: TypeRecord = {
      w, off, id, what, kind, vlen, kindFlag, strings,
      name: readBtfString(strings, w.u32(off, 'name_off'), `${what} name`),
      sizeOrType: w.u32(off + 8, 'size_or_type'),
      data: off + TYPE_RECORD_LEN,
      sectionBase,
    };
    types.push(decodeType(rec));
    off += TYPE_RECORD_LEN + extra;
  }
  return types;
}

interface TypeRecord {
  readonly w: ByteWindow;
  readonly off: number;
  readonly id: number;
  readonly what: string;
  readonly kind: Exclude<BtfKindName, 'void'>;
  readonly vlen: number;
  readonly kindFlag: boolean;
  readonly strings: Uint8Array;
  readonly name: string;
  readonly sizeOrType: number;
  /** Offset of the trailing data in the type window. */
  readonly data: number;
  /** Offset of the type window inside the whole section. */
  readonly sectionBase: number;
}

function decodeType(r: TypeRecord): BtfType {
  const { w, id, name, kind, vlen, data } = r;
  const str = (off: number, what: string): string => readBtfString(r.strings, off, `${r.what} ${what}`);
  switch (kind) {
    case 'int': {
      const v = w.u32(data, 'int data');
      const t = { kind, id, name, size: r.sizeOrType, encoding: (v >>> 24) & 0xf, bitOffset: (v >>> 16) & 0xff, bits: v & 0xff };
      if (t.bits > 128 || t.bitOffset + t.bits > 128 || t.bits > t.size * 8) {
        fail('BTF_BAD_TYPE', `${r.what}: int of size ${t.size} with bit offset ${t.bitOffset} and ${t.bits} bits`);
      }
      return t;
    }
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return { kind, id, name, type: r.sizeOrType };
    case 'array':
      return { kind, id, name, type: w.u32(data), indexType: w.u32(data + 4), nelems: w.u32(data + 8) };
    case 'struct':
    case 'union': {
      const members: BtfMember[] = [];
      for (let i = 0; i < vlen; i++) {
        const m = data + 12 * i;
        const raw = w.u32(m + 8, 'member offset');
        members.push({
          name: str(w.u32(m), `member ${i} name`),
          type: w.u32(m + 4),
          bitOffset: r.kindFlag ? raw & 0xffffff : raw,
          bitfieldSize: r.kindFlag ? raw >>> 24 : 0,
        });
      }
      return { kind, id, name, size: r.sizeOrType, kindFlag: r.kindFlag, members };
    }
    case 'enum': {
      const values = [];
      for (let i = 0; i < vlen; i++) {
        const e = data + 8 * i;
        const value = r.kindFlag ? w.i32(e + 4) : w.u32(e + 4);
        values.push({ name: str(w.u32(e), `enumerator ${i} name`), value: BigInt(value) });
      }
      return { kind, id, name, size: r.sizeOrType, signed: r.kindFlag, values };
    }
    case 'enum64': {
      const values = [];
      for (let i = 0; i < vlen; i++) {
        const e = data + 12 * i;
        const u = (BigInt(w.u32(e + 8)) << 32n) | BigInt(w.u32(e + 4));
        values.push({ name: str(w.u32(e), `enumerator ${i} name`), value: r.kindFlag ? BigInt.asIntN(64, u) : u });
      }
      return { kind, id, name, size: r.sizeOrType, signed: r.kindFlag, values };
    }
    case 'fwd':
      return { kind, id, name, union: r.kindFlag };
    case 'func':
      return { kind, id, name, type: r.sizeOrType, linkage: vlen };
    case 'func_proto': {
      const params: BtfParam[] = [];
      for (let i = 0; i < vlen; i++) {
        const p = data + 8 * i;
        params.push({ name: str(w.u32(p), `parameter ${i} name`), type: w.u32(p + 4) });
      }
      const last = params[params.length - 1];
      const varargs = last !== undefined && last.type === 0 && last.name === '';
      if (varargs) params.pop();
      if (params.some((p) => p.type === 0)) fail('BTF_BAD_TYPE', `${r.what}: a void parameter before the last one`);
      return { kind, id, name, returnType: r.sizeOrType, params, varargs };
    }
    case 'var':
      return { kind, id, name, type: r.sizeOrType, linkage: w.u32(data, 'var linkage') };
    case 'datasec': {
      const vars: BtfSecinfo[] = [];
      for (let i = 0; i < vlen; i++) {
        const v = data + 12 * i;
        const offset = w.u32(v + 4);
        vars.push({ type: w.u32(v), offset, rawOffset: offset, size: w.u32(v + 8), offsetFieldPos: r.sectionBase + v + 4 });
      }
      return { kind, id, name, size: r.sizeOrType, rawSize: r.sizeOrType, vars };
    }
    case 'float':
      return { kind, id, name, size: r.sizeOrType };
    case 'decl_tag':
      return { kind, id, name, type: r.sizeOrType, componentIdx: w.i32(data, 'component_idx') };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * Every type id in range, and the few structural rules the rest of the reader relies
 * on: FUNC points at a FUNC_PROTO, DATASEC entries are VARs (or kfunc FUNCs), and a
 * DECL_TAG component names an existing member or parameter.
 */
function checkReferences(types: readonly BtfType[]): void {
  for (const t of types) {
    for (const ref of referencedTypeIds(t)) {
      if (ref >= types.length) {
        fail('BTF_BAD_TYPE', `.BTF type [${t.id}] ${t.kind} refers to type ${ref}, but there are only ${types.length}`);
      }
    }
  }
  for (const t of types) {
    if (t.kind === 'func' && types[t.type].kind !== 'func_proto') {
      fail('BTF_BAD_TYPE', `.BTF type [${t.id}] func '${t.name}' has type ${t.type} which is ${types[t.type].kind}, not func_proto`);
    }
    if (t.kind === 'datasec') {
      for (const v of t.vars) {
        const k = types[v.type].kind;
        if (k !== 'var' && k !== 'func') {
          fail('BTF_BAD_TYPE', `.BTF type [${t.id}] datasec '${t.name}' lists type ${v.type} which is ${k}, not var`);
        }
      }
    }
    if (t.kind === 'decl_tag' && t.componentIdx !== -1) {
      const target = types[t.type];
      const count =
        target.kind === 'struct' || target.kind === 'union' ? target.members.length
          : target.kind === 'func' ? protoParamCount(types, target.type)
            : 0;
      if (t.componentIdx < 0 || t.componentIdx >= count) {
        fail('BTF_BAD_TYPE', `.BTF type [${t.id}] decl_tag '${t.name}' names component ${t.componentIdx} of a ${target.kind} with ${count}`);
      }
    }
  }
}

function protoParamCount(types: readonly BtfType[], id: number): number {
  const p = types[id];
  return p.kind === 'func_proto' ? p.params.length : 0;
}
