import { MapType } from '../../../src/object/map-types.js';
import type { BpfObject } from '../../../src/object/types.js';
import { toHex, type MapContents, type MapEntry, type MapStateFile } from '../../../src/state/map-state.js';
import { ip4 } from './frames.js';

/** Byte builders in an object's byte order, for map state files. */
export class Bytes {
  private readonly out: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [(v >> 8) & 0xff, v & 0xff];
    this.out.push(...(this.le ? b.reverse() : b));
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.out.push(...(this.le ? b.reverse() : b));
    return this;
  }
  u64(v: bigint): this {
    const b: number[] = [];
    for (let i = 7; i >= 0; i--) b.push(Number((v >> BigInt(8 * i)) & 0xffn));
    this.out.push(...(this.le ? b.reverse() : b));
    return this;
  }
  /** Network-order bytes as given. */
  raw(bytes: readonly number[]): this {
    this.out.push(...bytes);
    return this;
  }
  be16(v: number): this {
    return this.raw([(v >> 8) & 0xff, v & 0xff]);
  }
  ip(s: string): this {
    return this.raw(ip4(s));
  }
  zeros(n: number): this {
    return this.raw(new Array(n).fill(0));
  }
  hex(): string {
    return toHex(Uint8Array.from(this.out));
  }
}

function entry(key: string, value: string): MapEntry {
  return { key, value };
}

/** The Coppice maps with one registered sandbox on TAP ifindex 1 (test_run's lo), a SNAT pool and policies. */
export function coppiceState(obj: BpfObject): MapStateFile {
  const le = obj.littleEndian;
  const b = (): Bytes => new Bytes(le);
  const names = new Set(obj.maps.map((m) => m.name));
  const maps: Record<string, MapContents> = {};
  const put = (name: string, c: MapContents): void => {
    if (names.has(name)) maps[name] = c;
  };
  const tap = b().u32(1).hex();
  put('ifindex_to_mvmmeta', { entries: [entry(tap, b().u32(7).ip('10.0.0.5').zeros(64 + 56).hex())] });
  put('mvmip_to_ifindex', { entries: [entry(b().ip('10.0.0.5').hex(), b().u32(1).hex())] });
  put('snat_iplist', {
    entries: [0, 1, 2, 3].map((i) => entry(b().u32(i).hex(), b().u32(0).u32(2).ip('9.135.10.2').u16(30000 + i * 100).u16(0).hex())),
  });
  put('remote_port_mapping', { entries: [entry(b().be16(8080).hex(), b().u32(1).be16(80).u16(0).hex())] });
  put('local_port_mapping', { entries: [entry(b().u32(1).be16(80).u16(0).hex(), b().be16(8080).hex())] });
  put('egress_rate', { entries: [entry(tap, b().u64(125_000_000n).u64(0n).u64(0n).hex())] });
  const lpm = (prefix: number, ip: string, value: number): MapEntry => entry(b().u32(prefix).ip(ip).hex(), b().u32(value).hex());
  put('allow_out', { entries: [{ key: tap, inner: { entries: [lpm(32, '93.184.216.34', 0), lpm(32, '1.1.1.1', 1)] } }] });
  put('deny_out', { entries: [{ key: tap, inner: { entries: [lpm(8, '10.0.0.0', 0), lpm(16, '192.168.0.0', 0), lpm(8, '127.0.0.0', 0)] } }] });
  const reversed = [...'.example.com'].reverse().map((c) => c.charCodeAt(0));
  const name = b().u32(reversed.length * 8).raw(reversed).zeros(128 - reversed.length).hex();
  put('dns_domains', { entries: [{ key: tap, inner: { entries: [entry(name, b().u32(0).hex())] } }] });
  return canonical({ version: 1, maps });
}

/** Entries sorted by key hex at every level, as map-state.ts's canonical form asks. */
export function canonical(state: MapStateFile): MapStateFile {
  const sortContents = (c: MapContents): MapContents => ({
    entries: [...c.entries]
      .map((e) => ('inner' in e ? { key: e.key, inner: sortContents(e.inner) } : e))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  });
  return { version: 1, maps: Object.fromEntries(Object.entries(state.maps).map(([k, c]) => [k, sortContents(c)])) };
}

/**
 * A small, type-driven population of any object's maps: a few entries per map with keys
 * the standard frames are likely to hit (their addresses, ports, ifindex 1, small
 * indexes) and non-zero values, so lookups take their hit paths.
 */
export function genericState(obj: BpfObject): MapStateFile {
  const le = obj.littleEndian;
  const maps: Record<string, MapContents> = {};
  const addresses = ['169.254.68.6', '93.184.216.34', '8.8.8.8', '1.1.1.1', '198.51.100.7', '9.135.10.2'];
  const keysFor = (keySize: number, maxEntries: number): string[] => {
    const out = new Set<string>();
    if (keySize === 4) {
      for (const a of addresses) out.add(new Bytes(le).ip(a).hex());
      for (const i of [0, 1, 2, 6, 17]) out.add(new Bytes(le).u32(i).hex());
    } else if (keySize === 2) {
      for (const p of [53, 80, 443, 8080, 22]) out.add(new Bytes(le).be16(p).hex());
    } else out.add(new Bytes(le).zeros(keySize).hex());
    return [...out].slice(0, maxEntries);
  };
  const value = (size: number): string => new Bytes(le).raw(Array.from({ length: size }, (_, i) => (i % 4 === 0 ? 1 : 0))).hex();
  const lpmEntries = (keySize: number, valueSize: number): MapEntry[] => {
    if (keySize !== 8) return [];
    return [
      { key: new Bytes(le).u32(8).ip('10.0.0.0').hex(), value: value(valueSize) },
      { key: new Bytes(le).u32(32).ip('8.8.8.8').hex(), value: value(valueSize) },
      { key: new Bytes(le).u32(16).ip('198.51.0.0').hex(), value: value(valueSize) },
    ];
  };
  for (const m of obj.maps) {
    switch (m.type) {
      case MapType.HASH:
      case MapType.LRU_HASH:
      case MapType.PERCPU_HASH:
      case MapType.LRU_PERCPU_HASH:
        maps[m.name] = { entries: keysFor(m.keySize, m.maxEntries).map((k) => entry(k, value(m.valueSize))) };
        break;
      case MapType.ARRAY:
      case MapType.PERCPU_ARRAY:
        maps[m.name] = {
          entries: [0, 1, 2].filter((i) => i < m.maxEntries).map((i) => entry(new Bytes(le).u32(i).hex(), value(m.valueSize))),
        };
        break;
      case MapType.LPM_TRIE:
        maps[m.name] = { entries: lpmEntries(m.keySize, m.valueSize) };
        break;
      case MapType.HASH_OF_MAPS:
      case MapType.ARRAY_OF_MAPS: {
        const inner = m.inner;
        if (!inner || m.initialSlots.length > 0) break;
        const innerEntries =
          inner.type === MapType.LPM_TRIE
            ? lpmEntries(inner.keySize, inner.valueSize)
            : keysFor(inner.keySize, inner.maxEntries).map((k) => entry(k, value(inner.valueSize)));
        maps[m.name] = { entries: [{ key: new Bytes(le).u32(1).hex(), inner: { entries: innerEntries } }] };
        break;
      }
      default:
        break;
    }
  }
  return canonical({ version: 1, maps });
}
