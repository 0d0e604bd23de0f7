import { parseIpv4 } from './addresses.js';

/**
 * DNS messages (RFC 1035) as plain data and their wire form. Names are written with
 * suffix compression by default, the way real servers answer (an answer's owner name is
 * a pointer to the question); `compress: false` writes every name in full. Labels are
 * written as given, so upper case and odd characters survive for parsers to meet.
 */
export interface DnsMessage {
  readonly id: number;
  /** The 16-bit flags word; see `dnsFlags`. */
  readonly flags: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers?: readonly DnsRecord[];
  readonly authority?: readonly DnsRecord[];
  readonly additional?: readonly DnsRecord[];
  /** Header counts that disagree with the sections, for malformed messages. */
  readonly counts?: { readonly qd?: number; readonly an?: number; readonly ns?: number; readonly ar?: number };
  readonly compress?: boolean;
}

export interface DnsQuestion {
  /** Dotted, without the trailing dot: "www.example.com"; '' is the root. */
  readonly name: string;
  readonly type?: number;
  readonly class?: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly ttl: number;
  readonly class?: number;
  readonly data: DnsRecordData;
}

export type DnsRecordData =
  | { readonly kind: 'a'; readonly address: string }
  | { readonly kind: 'cname'; readonly target: string }
  | { readonly kind: 'raw'; readonly type: number; readonly bytes: Uint8Array };

export const DNS_TYPE_A = 1;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_AAAA = 28;
export const DNS_CLASS_IN = 1;

export interface DnsFlagFields {
  readonly qr?: boolean;
  readonly opcode?: number;
  readonly aa?: boolean;
  readonly tc?: boolean;
  readonly rd?: boolean;
  readonly ra?: boolean;
  readonly rcode?: number;
}

export function dnsFlags(f: DnsFlagFields): number {
  return (
    (f.qr ? 0x8000 : 0) |
    (((f.opcode ?? 0) & 15) << 11) |
    (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    ((f.rcode ?? 0) & 15)
  );
}

export function recordType(d: DnsRecordData): number {
  switch (d.kind) {
    case 'a':
      return DNS_TYPE_A;
    case 'cname':
      return DNS_TYPE_CNAME;
    case 'raw':
      return d.type;
    default: {
      const never: never = d;
      return never;
    }
  }
}

export function encodeDns(m: DnsMessage): Uint8Array {
  const w = new NameWriter(m.compress ?? true);
  const answers = m.answers ?? [];
  const authority = m.authority ?? [];
  const additional = m.additional ?? [];
  w.u16(m.id);
  w.u16(m.flags);
  w.u16(m.counts?.qd ?? m.questions.length);
  w.u16(m.counts?.an ?? answers.length);
  w.u16(m.counts?.ns ?? authority.length);
  w.u16(m.counts?.ar ?? additional.length);
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(q.type ?? DNS_TYPE_A);
    w.u16(q.class ?? DNS_CLASS_IN);
  }
  for (const r of [...answers, ...authority, ...additional]) {
    w.name(r.name);
    w.u16(recordType(r.data));
    w.u16(r.class ?? DNS_CLASS_IN);
    w.u16((r.ttl >>> 16) & 0xffff);
    w.u16(r.ttl & 0xffff);
    const lenAt = w.length;
    w.u16(0);
    const start = w.length;
    const d = r.data;
    switch (d.kind) {
      case 'a':
        w.bytes(parseIpv4(d.address));
        break;
      case 'cname':
        w.name(d.target);
        break;
      case 'raw':
        w.bytes(d.bytes);
        break;
      default: {
        const never: never = d;
        return never;
      }
    }
    w.patch16(lenAt, w.length - start);
  }
  return w.finish();
}

/** Labels of a dotted name; '' is the root (no labels). */
export function nameLabels(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

class NameWriter {
  private out: number[] = [];
  /** Offsets of name suffixes already written, by their lower-case dotted text. */
  private readonly suffixes = new Map<string, number>();
  constructor(private readonly compress: boolean) {}

  get length(): number {
    return this.out.length;
  }

  u16(v: number): void {
    this.out.push((v >> 8) & 255, v & 255);
  }

  bytes(b: Uint8Array): void {
    for (const x of b) this.out.push(x);
  }

  patch16(at: number, v: number): void {
    this.out[at] = (v >> 8) & 255;
    this.out[at + 1] = v & 255;
  }

  name(name: string): void {
    const labels = nameLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.suffixes.get(suffix);
      if (this.compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.out.length < 0x4000) this.suffixes.set(suffix, this.out.length);
      const label = labels[i];
      if (label.length > 63) throw new Error(`DNS label longer than 63 bytes: ${label.slice(0, 20)}...`);
      this.out.push(label.length);
      for (let k = 0; k < label.length; k++) this.out.push(label.charCodeAt(k) & 255);
    }
    this.out.push(0);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
