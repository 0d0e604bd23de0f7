import { ByteWindow } from '../bytes.js';
import { fail } from '../errors.js';
import { byteOrderOf } from './parse.js';
import { btfString } from './strings.js';
import type { Btf } from './types.js';

/**
 * `.BTF.ext` (reference §7): per ELF section, the start of each function with its FUNC
 * type, source lines, and CO-RE relocations. Names and strings point into the `.BTF`
 * string section and type ids into `.BTF`, so parsing needs the parsed `.BTF`.
 *
 * Every `insnOff` here is a BYTE offset within the named ELF section, as stored in the
 * object (and as `.rel.BTF.ext` leaves it); divide by 8 for an instruction index. libbpf
 * rebases them per program for the kernel; we do not.
 */
export interface BtfExt {
  readonly littleEndian: boolean;
  readonly header: BtfExtHeader;
  readonly funcInfo: readonly BtfExtSection<FuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<LineInfo>[];
  readonly coreRelos: readonly BtfExtSection<CoreRelo>[];
}

export interface BtfExtHeader {
  readonly version: number;
  readonly flags: number;
  /** 24 without CO-RE relocations, 32 with; larger headers are read up to what we know. */
  readonly hdrLen: number;
  readonly funcInfoOff: number;
  readonly funcInfoLen: number;
  readonly lineInfoOff: number;
  readonly lineInfoLen: number;
  readonly coreReloOff: number;
  readonly coreReloLen: number;
}

export interface BtfExtSection<R> {
  /** The ELF section the records describe: `tc`, `xdp`, `.text`. */
  readonly section: string;
  readonly records: readonly R[];
}

export interface FuncInfo {
  readonly insnOff: number;
  /** A FUNC type of `.BTF`. */
  readonly typeId: number;
  readonly name: string;
}

export interface LineInfo {
  readonly insnOff: number;
  readonly fileName: string;
  /** The text of the source line. */
  readonly lineText: string;
  readonly line: number;
  readonly column: number;
}

export interface CoreRelo {
  readonly insnOff: number;
  readonly typeId: number;
  /** Member indexes from the root type, e.g. "0:1:2". */
  readonly accessString: string;
  readonly kind: number;
  readonly kindName: string;
}

/** `enum bpf_core_relo_kind`, by number. */
export const CORE_RELO_KINDS: readonly string[] = [
  'FIELD_BYTE_OFFSET', 'FIELD_BYTE_SIZE', 'FIELD_EXISTS', 'FIELD_SIGNED', 'FIELD_LSHIFT_U64',
  'FIELD_RSHIFT_U64', 'TYPE_ID_LOCAL', 'TYPE_ID_TARGET', 'TYPE_EXISTS', 'TYPE_SIZE',
  'ENUMVAL_EXISTS', 'ENUMVAL_VALUE', 'TYPE_MATCHES',
];

const BASE_HEADER_LEN = 24;
const CORE_HEADER_LEN = 32;
const INSN_SIZE = 8;

export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const littleEndian = byteOrderOf(bytes, '.BTF.ext');
  if (littleEndian !== btf.littleEndian) fail('BTF_BAD_HEADER', '.BTF.ext: byte order differs from .BTF');
  const w = new ByteWindow(bytes, littleEndian, '.BTF.ext', 'BTF_RANGE');
  const header = readHeader(w);
  const sub = (name: string, off: number, len: number): ByteWindow => {
    if (header.hdrLen + off + len > w.length) {
      fail('BTF_RANGE', `.BTF.ext: ${name} [${off}, +${len}) runs past the end of the section`);
    }
    return w.slice(header.hdrLen + off, len, `.BTF.ext ${name}`);
  };
  return {
    littleEndian,
    header,
    funcInfo: readInfo(sub('func_info', header.funcInfoOff, header.funcInfoLen), btf, 8, (r, at) => {
      const typeId = r.u32(at + 4);
      const t = btf.types[typeId];
      if (t === undefined) fail('BTF_BAD_TYPE', `.BTF.ext func_info: type ${typeId} is out of range`);
      if (t.kind !== 'func') fail('BTF_EXT_BAD', `.BTF.ext func_info: type ${typeId} is a ${t.kind}, not a func`);
      return { insnOff: insnOff(r, at, 'func_info'), typeId, name: t.name };
    }),
    lineInfo: readInfo(sub('line_info', header.lineInfoOff, header.lineInfoLen), btf, 16, (r, at) => {
      const lineCol = r.u32(at + 12);
      return {
        insnOff: insnOff(r, at, 'line_info'),
        fileName: btfString(btf, r.u32(at + 4), '.BTF.ext line_info file name'),
        lineText: btfString(btf, r.u32(at + 8), '.BTF.ext line_info line'),
        line: lineCol >>> 10,
        column: lineCol & 0x3ff,
      };
    }),
    coreRelos: readInfo(sub('core_relo', header.coreReloOff, header.coreReloLen), btf, 16, (r, at) => {
      const typeId = r.u32(at + 4);
      if (typeId >= btf.types.length) fail('BTF_BAD_TYPE', `.BTF.ext core_relo: type ${typeId} is out of range`);
      const kind = r.u32(at + 12);
      return {
        insnOff: insnOff(r, at, 'core_relo'),
        typeId,
        accessString: btfString(btf, r.u32(at + 8), '.BTF.ext core_relo access string'),
        kind,
        kindName: CORE_RELO_KINDS[kind] ?? `UNKNOWN_${kind}`,
      };
    }),
  };
}

function readHeader(w: ByteWindow): BtfExtHeader {
  if (w.length < BASE_HEADER_LEN) fail('BTF_BAD_HEADER', `.BTF.ext: ${w.length} bytes is too short for a header`);
  const version = w.u8(2);
  if (version !== 1) fail('BTF_BAD_HEADER', `.BTF.ext: unsupported version ${version}`);
  const hdrLen = w.u32(4, 'hdr_len');
  if (hdrLen < BASE_HEADER_LEN || hdrLen > w.length) {
    fail('BTF_BAD_HEADER', `.BTF.ext: hdr_len ${hdrLen} is not between ${BASE_HEADER_LEN} and the section size ${w.length}`);
  }
  const hasCore = hdrLen >= CORE_HEADER_LEN;
  return {
    version,
    flags: w.u8(3),
    hdrLen,
    funcInfoOff: w.u32(8),
    funcInfoLen: w.u32(12),
    lineInfoOff: w.u32(16),
    lineInfoLen: w.u32(20),
    coreReloOff: hasCore ? w.u32(24) : 0,
    coreReloLen: hasCore ? w.u32(28) : 0,
  };
}

function insnOff(r: ByteWindow, at: number, what: string): number {
  const off = r.u32(at);
  if (off % INSN_SIZE !== 0) fail('BTF_EXT_BAD', `.BTF.ext ${what}: instruction offset ${off} is not a multiple of ${INSN_SIZE}`);
  return off;
}

/**
 * One info sub-section: `u32 record_size`, then per ELF section `{u32 sec_name_off,
 * u32 num_info, num_info records}`. Records longer than we know are read by their known
 * prefix (newer compilers may append fields); shorter ones cannot be right.
 */
function readInfo<R>(
  w: ByteWindow,
  btf: Btf,
  knownSize: number,
  readRecord: (w: ByteWindow, at: number) => R,
): BtfExtSection<R>[] {
  if (w.length === 0) return [];
  const recordSize = w.u32(0, 'record_size');
  if (recordSize < knownSize) {
    fail('BTF_EXT_BAD', `${w.what}: record_size ${recordSize} is smaller than the ${knownSize} bytes of a record`);
  }
  const out: BtfExtSection<R>[] = [];
  let pos = 4;
  while (pos < w.length) {
    const section = btfString(btf, w.u32(pos, 'sec_name_off'), `${w.what} section name`);
    const count = w.u32(pos + 4, 'num_info');
    pos += 8;
    if (count * recordSize > w.length - pos) {
      fail('BTF_BAD_COUNT', `${w.what} '${section}': ${count} records of ${recordSize} bytes do not fit in the ${w.length - pos} bytes left`);
    }
    const records: R[] = [];
    for (let i = 0; i < count; i++) records.push(readRecord(w, pos + i * recordSize));
    out.push({ section, records });
    pos += count * recordSize;
  }
  return out;
}
