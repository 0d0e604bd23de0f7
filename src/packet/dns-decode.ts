import { formatIpv4, formatIpv6 } from './addresses.js';
import { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_CNAME } from './dns.js';

/** What a DNS message says, as far as a one-line summary and tests need. */
export interface DnsSummary {
  readonly id: number;
  readonly flags: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  readonly questions: readonly { readonly name: string; readonly type: number; readonly class: number }[];
  readonly answers: readonly DnsAnswerSummary[];
  /** Why decoding stopped early, when it did (the counts promise more than is there). */
  readonly error?: string;
}

export interface DnsAnswerSummary {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** Dotted address for A/AAAA, the target for CNAME, hex otherwise. */
  readonly data: string;
}

/** Decodes the message in b[start, end); undefined when there is not even a header. */
export function decodeDns(b: Uint8Array, start: number, end: number): DnsSummary | undefined {
  if (end - start < 12) return undefined;
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const flags = u16(start + 2);
  const counts = [u16(start + 4), u16(start + 6), u16(start + 8), u16(start + 10)];
  const questions: { name: string; type: number; class: number }[] = [];
  const answers: DnsAnswerSummary[] = [];
  let off = start + 12;
  let error: string | undefined;
  try {
    for (let i = 0; i < counts[0]; i++) {
      const n = readName(b, start, off, end);
      off = n.next;
      need(off + 4, end, 'question');
      questions.push({ name: n.name, type: u16(off), class: u16(off + 2) });
      off += 4;
    }
    for (let i = 0; i < counts[1]; i++) {
      const n = readName(b, start, off, end);
      off = n.next;
      need(off + 10, end, 'record header');
      const type = u16(off);
      const cls = u16(off + 2);
      const ttl = ((u16(off + 4) << 16) | u16(off + 6)) >>> 0;
      const rdlen = u16(off + 8);
      off += 10;
      need(off + rdlen, end, 'record data');
      answers.push({ name: n.name, type, class: cls, ttl, data: rdataText(b, start, off, rdlen, type, end) });
      off += rdlen;
    }
  } catch (e) {
    error = (e as Error).message;
  }
  return {
    id: u16(start),
    flags,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 15,
    rcode: flags & 15,
    qdcount: counts[0],
    ancount: counts[1],
    nscount: counts[2],
    arcount: counts[3],
    questions,
    answers,
    ...(error !== undefined && { error }),
  };
}

function need(upTo: number, end: number, what: string): void {
  if (upTo > end) throw new Error(`${what} runs past the end`);
}

function rdataText(b: Uint8Array, msg: number, off: number, len: number, type: number, end: number): string {
  if (type === DNS_TYPE_A && len === 4) return formatIpv4(b, off);
  if (type === DNS_TYPE_AAAA && len === 16) return formatIpv6(b, off);
  if (type === DNS_TYPE_CNAME) return readName(b, msg, off, end).name;
  let s = '';
  for (let i = 0; i < len; i++) s += b[off + i].toString(16).padStart(2, '0');
  return s;
}

/**
 * A possibly compressed name at `off`; `next` is the offset after it in the record it
 * started in. Pointers may only go backwards, which also rules out loops.
 */
export function readName(b: Uint8Array, msg: number, off: number, end: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = off;
  let next = -1;
  let limit = pos;
  for (let hops = 0; hops < 128; hops++) {
    need(pos + 1, end, 'name');
    const len = b[pos];
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { name: labels.join('.'), next };
    }
    if ((len & 0xc0) === 0xc0) {
      need(pos + 2, end, 'name pointer');
      const target = msg + (((len & 0x3f) << 8) | b[pos + 1]);
      if (next < 0) next = pos + 2;
      if (target >= limit) throw new Error('name pointer does not point backwards');
      limit = target;
      pos = target;
      continue;
    }
    if (len > 63) throw new Error(`label length byte 0x${len.toString(16)}`);
    need(pos + 1 + len, end, 'label');
    labels.push(String.fromCharCode(...b.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  throw new Error('name has too many labels');
}
