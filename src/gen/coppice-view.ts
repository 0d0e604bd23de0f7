import type { BpfMap, BpfObject } from '../object/types.js';
import type { TypeSchema } from '../object/schema.js';
import { formatIpv4 } from '../packet/addresses.js';
import { fromHex, type MapContents, type MapStateFile } from '../state/map-state.js';
import { coppiceConfig, type CoppiceConfig } from './coppice-config.js';
import { coppiceMap } from './coppice-names.js';

/**
 * A Coppice map state read back into the agent's terms, for drawing packets: which
 * TAPs are registered, their policy prefixes and domains, the live sessions in both
 * directions, pending DNS queries. Read through the maps' own layouts by member name,
 * so any build of the objects (either byte order, renamed) reads the same.
 */
export interface CoppiceView {
  readonly config: CoppiceConfig;
  readonly sandboxes: readonly SandboxView[];
  readonly egress: readonly SessionView[];
  readonly ingress: readonly ReverseView[];
  readonly remotePorts: readonly { readonly hostPort: number; readonly tap: number; readonly listenPort: number }[];
  readonly localPorts: readonly { readonly tap: number; readonly listenPort: number; readonly hostPort: number }[];
  readonly pending: readonly { readonly tap: number; readonly port: number; readonly id: number; readonly name: string }[];
  /** Non-zero SNAT addresses, for drawing destinations of replies. */
  readonly snatIps: readonly string[];
  /** The address in each SNAT slot ('0.0.0.0' for an empty one), by slot. */
  readonly snatPool: readonly string[];
}

export interface SandboxView {
  readonly tap: number;
  readonly hostIp: string;
  readonly version: number;
  readonly allow: readonly { readonly base: string; readonly prefixLength: number; readonly flags: number }[];
  readonly deny: readonly { readonly base: string; readonly prefixLength: number }[];
  /** Dotted names without the leading dot ("example.com"). */
  readonly domains: readonly string[];
}

export interface SessionView {
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly version: number;
  readonly protocol: number;
  readonly vmIfindex: number;
  readonly nodeIp: string;
  readonly nodePort: number;
  readonly state: number;
}

export interface ReverseView {
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly protocol: number;
  readonly vmIp: string;
  readonly vmPort: number;
}

export function coppiceView(obj: BpfObject, state: MapStateFile): CoppiceView {
  const le = obj.littleEndian;
  const rows = (name: string): { map: BpfMap; key: Fields; value: Fields; inner?: MapContents }[] => {
    const m = coppiceMap(obj, name);
    const contents = m && state.maps[m.name];
    if (!m || !contents) return [];
    return contents.entries.map((e) => ({
      map: m,
      key: readers(m.key, fromHex(e.key), le),
      value: readers('value' in e ? m.value : undefined, 'value' in e ? fromHex(e.value) : new Uint8Array(0), le),
      ...('inner' in e && { inner: e.inner }),
    }));
  };
  const trie = (name: string, tap: number): { base: string; prefixLength: number; value: number }[] => {
    const row = rows(name).find((r) => r.key('').u32() === tap);
    if (!row?.inner) return [];
    return row.inner.entries.map((e) => {
      const k = fromHex(e.key);
      const v = 'value' in e ? fromHex(e.value) : new Uint8Array(4);
      const view = new DataView(k.buffer, k.byteOffset);
      return { base: formatIpv4(k, 4), prefixLength: view.getUint32(0, le), value: new DataView(v.buffer, v.byteOffset).getUint32(0, le) };
    });
  };
  const domains = (tap: number): string[] => {
    const row = rows('dns_domains').find((r) => r.key('').u32() === tap);
    return row?.inner ? row.inner.entries.map((e) => nameKeyText(fromHex(e.key), le)) : [];
  };
  const sandboxes = rows('ifindex_to_mvmmeta').map((r): SandboxView => {
    const tap = r.key('').u32();
    return {
      tap,
      hostIp: r.value('ip').ip(),
      version: r.value('version').u32(),
      allow: trie('allow_out', tap).map((t) => ({ base: t.base, prefixLength: t.prefixLength, flags: t.value })),
      deny: trie('deny_out', tap).map((t) => ({ base: t.base, prefixLength: t.prefixLength })),
      domains: domains(tap),
    };
  });
  return {
    config: coppiceConfig(obj),
    sandboxes,
    egress: rows('egress_sessions').map((r) => ({
      srcIp: r.key('src_ip').ip(), dstIp: r.key('dst_ip').ip(), srcPort: r.key('src_port').net16(), dstPort: r.key('dst_port').net16(),
      version: r.key('version').u32(), protocol: r.key('protocol').u8(), vmIfindex: r.value('vm_ifindex').u32(),
      nodeIp: r.value('node_ip').ip(), nodePort: r.value('node_port').net16(), state: r.value('state').u8(),
    })),
    ingress: rows('ingress_sessions').map((r) => ({
      srcIp: r.key('src_ip').ip(), dstIp: r.key('dst_ip').ip(), srcPort: r.key('src_port').net16(), dstPort: r.key('dst_port').net16(),
      protocol: r.key('protocol').u8(), vmIp: r.value('vm_ip').ip(), vmPort: r.value('vm_port').net16(),
    })),
    remotePorts: rows('remote_port_mapping').map((r) => ({ hostPort: r.key('').net16(), tap: r.value('ifindex').u32(), listenPort: r.value('listen_port').net16() })),
    localPorts: rows('local_port_mapping').map((r) => ({ tap: r.key('ifindex').u32(), listenPort: r.key('listen_port').net16(), hostPort: r.value('').net16() })),
    pending: rows('dns_queries').map((r) => ({ tap: r.key('ifindex').u32(), port: r.key('port').net16(), id: r.key('id').net16(), name: nameKeyText(r.value('qname').bytes(), le) })),
    snatIps: rows('snat_iplist').map((r) => r.value('ip').ip()).filter((ip) => ip !== '0.0.0.0'),
    snatPool: snatPool(rows('snat_iplist'), coppiceMap(obj, 'snat_iplist')?.maxEntries ?? 0),
  };
}

function snatPool(rows: readonly { key: Fields; value: Fields }[], size: number): string[] {
  const pool = new Array<string>(size).fill('0.0.0.0');
  for (const r of rows) {
    const slot = r.key('').u32();
    if (slot < size) pool[slot] = r.value('ip').ip();
  }
  return pool;
}

/** A `struct dns_name_key` back to the name it was made from ("moc.elpmaxe." -> "example.com"). */
function nameKeyText(k: Uint8Array, le: boolean): string {
  if (k.length < 4) return '';
  const len = Math.min(k.length - 4, Math.floor(new DataView(k.buffer, k.byteOffset).getUint32(0, le) / 8));
  return String.fromCharCode(...k.subarray(4, 4 + len)).split('').reverse().join('').replace(/^\./, '');
}

/** Reads one member (or, under '', the whole value) of a key or value; a missing member reads as zero. */
type Fields = (member: string) => Reader;

interface Reader {
  u8(): number;
  u32(): number;
  net16(): number;
  ip(): string;
  bytes(): Uint8Array;
}

function readers(schema: TypeSchema | undefined, b: Uint8Array, le: boolean): Fields {
  const at = (off: number, size: number): Reader => {
    const v = new DataView(b.buffer, b.byteOffset + off, Math.max(0, Math.min(size, b.length - off)));
    return {
      u8: () => (v.byteLength >= 1 ? v.getUint8(0) : 0),
      u32: () => (v.byteLength >= 4 ? v.getUint32(0, le) : v.byteLength >= 2 ? v.getUint16(0, le) : 0),
      net16: () => (v.byteLength >= 2 ? v.getUint16(0, false) : 0),
      ip: () => (v.byteLength >= 4 ? formatIpv4(b, off) : '0.0.0.0'),
      bytes: () => b.subarray(off, off + v.byteLength),
    };
  };
  const members = new Map<string, Reader>([['', at(0, b.length)]]);
  if (schema?.kind === 'struct') for (const f of schema.fields) if (f.name) members.set(f.name, at(f.bitOffset / 8, f.type.size));
  return (member) => members.get(member) ?? at(b.length, 0);
}
