/**
 * The printf of bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf, in the kernel's
 * two steps:
 *
 * 1. bpf_bprintf_prepare checks the format (printable ASCII; %d %i %u %x %X with l/ll,
 *    %c, %s, %pks, %pus, %pI4 %pi4 %pI6 %pi6, %p %px %pK %ps %pS %pB; flags 0 + - space
 *    and a width; no precision) and packs the arguments into a binary buffer: integers
 *    4-byte aligned, a char as one byte, strings (and IP addresses, pre-formatted as
 *    strings) NUL-terminated and unaligned.
 * 2. bstr_printf formats from that buffer into the output. It does the kernel's odd
 *    thing with pre-formatted strings: once the output is full it neither prints them
 *    nor steps over them, so later arguments are read from the string's bytes (and the
 *    returned length changes accordingly).
 */
export interface FormatIo {
  /** Argument i as a u64. */
  arg(i: number): bigint;
  /** A NUL-terminated string at the address in arg i (at most max bytes), undefined when unreadable. */
  string(i: number, max: number): string | undefined;
  /** n bytes at the address in arg i, undefined when unreadable. */
  bytes(i: number, n: number): Uint8Array | undefined;
}

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly length: number; readonly hostDependent: boolean }
  | { readonly ok: false };

/** MAX_BPRINTF_BIN_ARGS: the binary argument buffer. */
const BIN_SIZE = 512;

function isPrintable(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d);
}

function endsSpec(ch: string | undefined): boolean {
  return ch === undefined || ch === '\0' || /[\s!-/:-@[-`{-~]/.test(ch);
}

function isAlnum(ch: string | undefined): boolean {
  return ch !== undefined && /[0-9A-Za-z]/.test(ch);
}

class Bin {
  readonly bytes = new Uint8Array(BIN_SIZE);
  pos = 0;
  align4(): void {
    this.pos = (this.pos + 3) & ~3;
  }
  u32(v: number): boolean {
    this.align4();
    if (this.pos + 4 > BIN_SIZE) return false;
    new DataView(this.bytes.buffer).setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return true;
  }
  u64(v: bigint): boolean {
    return this.u32(Number(v & 0xffffffffn)) && this.u32(Number((v >> 32n) & 0xffffffffn));
  }
  str(s: string): boolean {
    if (this.pos + s.length + 1 > BIN_SIZE) return false;
    for (let i = 0; i < s.length; i++) this.bytes[this.pos + i] = s.charCodeAt(i);
    this.bytes[this.pos + s.length] = 0;
    this.pos += s.length + 1;
    return true;
  }
}

function ipString(b: Uint8Array, padded: boolean): string {
  if (b.length === 4) return [...b].map((x) => (padded ? x.toString().padStart(3, '0') : x.toString())).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16).padStart(4, '0'));
  return padded ? groups.join('') : groups.join(':');
}

/** Step 1: validation and the binary buffer (host byte order is little endian for the kernel's u32 stores). */
function prepare(fmt: string, numArgs: number, io: FormatIo): { bin: Bin; hostDependent: boolean } | undefined {
  const bin = new Bin();
  let spec = 0;
  let hostDependent = false;
  for (let i = 0; i < fmt.length; i++) {
    if (!isPrintable(fmt.charCodeAt(i))) return undefined;
    if (fmt[i] !== '%') continue;
    if (fmt[i + 1] === '%') {
      i++;
      continue;
    }
    if (spec >= numArgs) return undefined;
    i++;
    while (fmt[i] === '0' || fmt[i] === '+' || fmt[i] === '-' || fmt[i] === ' ') i++;
    if (fmt[i] >= '1' && fmt[i] <= '9') {
      i++;
      while (fmt[i] >= '0' && fmt[i] <= '9') i++;
    }
    const c = fmt[i];
    if (c === 'p') {
      const n = fmt[i + 1];
      if (endsSpec(n)) {
        hostDependent = true;
        if (!bin.u64(io.arg(spec))) return undefined;
      } else if ((n === 'k' || n === 'u') && fmt[i + 2] === 's') {
        i += 2;
        if (!endsSpec(fmt[i + 1])) return undefined;
        if (!bin.str(io.string(spec, BIN_SIZE - bin.pos - 1) ?? '')) return undefined;
      } else if (n === 'K' || n === 'x' || n === 's' || n === 'S') {
        if (n !== 'x') hostDependent = true;
        i++;
        if (!bin.u64(io.arg(spec))) return undefined;
      } else if (n === 'B') {
        // A symbol with offset, formatted by the kernel: only its presence is modelled.
        hostDependent = true;
        i++;
        if (!bin.str('(symbol)')) return undefined;
      } else if ((n === 'i' || n === 'I') && (fmt[i + 2] === '4' || fmt[i + 2] === '6')) {
        const v4 = fmt[i + 2] === '4';
        const b = io.bytes(spec, v4 ? 4 : 16) ?? new Uint8Array(v4 ? 4 : 16);
        if (!bin.str(ipString(b, n === 'i'))) return undefined;
        i += 2;
      } else return undefined;
    } else if (c === 's') {
      if (!endsSpec(fmt[i + 1])) return undefined;
      if (!bin.str(io.string(spec, BIN_SIZE - bin.pos - 1) ?? '')) return undefined;
    } else if (c === 'c') {
      if (bin.pos >= BIN_SIZE) return undefined;
      bin.bytes[bin.pos++] = Number(io.arg(spec) & 0xffn);
    } else {
      let long = false;
      if (fmt[i] === 'l') {
        long = true;
        i++;
      }
      if (fmt[i] === 'l') i++;
      const k = fmt[i];
      if (k !== 'i' && k !== 'd' && k !== 'u' && k !== 'x' && k !== 'X') return undefined;
      if (!(long ? bin.u64(io.arg(spec)) : bin.u32(Number(io.arg(spec) & 0xffffffffn)))) return undefined;
    }
    spec++;
  }
  return { bin, hostDependent };
}

/** vsnprintf's padding of one converted field. */
function field(body: string, flags: string, width: number, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width, ' ');
  if (numeric && flags.includes('0')) {
    const sign = /^[+\- ]/.test(body) ? body[0] : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width, ' ');
}

/** Step 2: bstr_printf into `size` bytes; returns what lands in the buffer and the full length. */
function bstrPrintf(fmt: string, bin: Uint8Array, size: number): { text: string; length: number } {
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let args = 0;
  let out = '';
  const put = (s: string): void => {
    out += s;
  };
  const readStr = (): string => {
    let s = '';
    while (args < bin.length && bin[args] !== 0) s += String.fromCharCode(bin[args++]);
    return s;
  };
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') {
      put(fmt[i]);
      continue;
    }
    if (fmt[i + 1] === '%') {
      put('%');
      i++;
      continue;
    }
    i++;
    let flags = '';
    while ('0+- '.includes(fmt[i] ?? 'x') && i < fmt.length) flags += fmt[i++];
    let width = 0;
    while (fmt[i] >= '0' && fmt[i] <= '9') width = width * 10 + Number(fmt[i++]);
    const c = fmt[i];
    if (c === 'p') {
      const n = fmt[i + 1];
      if (endsSpec(n) || n === 'K' || n === 's' || n === 'S' || n === 'x' || n === 'e') {
        args = (args + 3) & ~3;
        const v = view.getBigUint64(args, true);
        args += 8;
        put(n === 'x' ? field(v.toString(16).padStart(16, '0'), flags, width, true) : field('(ptrval)', flags, width, false));
      } else if (out.length < size) {
        // A pre-formatted string: copied whole, width ignored; skipped, cursor and all, once the output is full.
        const s = readStr();
        args++;
        put(s);
      }
      while (isAlnum(fmt[i + 1])) i++;
    } else if (c === 's') {
      const s = readStr();
      args++;
      put(field(s, flags, width, false));
    } else if (c === 'c') {
      put(field(String.fromCharCode(bin[args++]), flags, width, false));
    } else {
      let long = false;
      if (fmt[i] === 'l') {
        long = true;
        i++;
      }
      if (fmt[i] === 'l') i++;
      const k = fmt[i];
      args = (args + 3) & ~3;
      let v: bigint;
      if (long) {
        v = view.getBigUint64(args, true);
        args += 8;
      } else {
        v = BigInt(view.getUint32(args, true));
        args += 4;
      }
      let body: string;
      if (k === 'd' || k === 'i') {
        const s = long ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v);
        body = s.toString();
        if (s >= 0n && flags.includes('+')) body = `+${body}`;
        else if (s >= 0n && flags.includes(' ')) body = ` ${body}`;
      } else if (k === 'u') body = v.toString();
      else body = k === 'x' ? v.toString(16) : v.toString(16).toUpperCase();
      put(field(body, flags, width, true));
    }
  }
  return { text: out.slice(0, size > 0 ? size - 1 : 0), length: out.length };
}

/**
 * Formats as the kernel does: `text` is what a buffer of `size` bytes receives (without
 * the NUL), `length` the full length bstr_printf reports.
 */
export function formatBpf(fmt: string, numArgs: number, io: FormatIo, size: number): FormatResult {
  const p = prepare(fmt, numArgs, io);
  if (p === undefined) return { ok: false };
  const r = bstrPrintf(fmt, p.bin.bytes, size);
  return { ok: true, text: r.text, length: r.length, hostDependent: p.hostDependent };
}
