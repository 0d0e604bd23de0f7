/**
 * Frames for checking an L2 classifier against the program it came from: ARP requests and
 * replies, well-formed and not (every header field wrong once, cut short, padded), IPv4,
 * IPv6 with and without L4 headers, other EtherTypes, 802.1Q/802.1ad tags, runts, and
 * random single-byte mutations of all of these. Seeded: the same frames every run.
 */
import { createRng } from '../../../src/gen/rng.js';
import { buildFrame, type FrameSpec, type L3Spec } from '../../../src/packet/index.js';

export interface NamedFrame {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const arp = (o: Partial<Extract<L3Spec, { kind: 'arp' }>> = {}): L3Spec => ({
  kind: 'arp',
  op: 1,
  sha: '02:00:00:00:00:01',
  spa: '169.254.68.6',
  tha: '00:00:00:00:00:00',
  tpa: '169.254.68.5',
  ...o,
});

const eth = (body: L3Spec, extra: Partial<Extract<FrameSpec, { kind: 'ethernet' }>> = {}): FrameSpec => ({ kind: 'ethernet', dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', body, ...extra });

const raw = (etherType: number, n = 46): L3Spec => ({ kind: 'raw', etherType, bytes: new Uint8Array(n).map((_, i) => (i * 37 + 11) & 0xff) });

function bases(): [string, FrameSpec][] {
  const out: [string, FrameSpec][] = [];
  for (const tpa of ['169.254.68.5', '169.254.68.6', '10.0.0.1', '0.0.0.0', '255.255.255.255']) {
    for (const spa of ['169.254.68.6', '0.0.0.0']) {
      for (const op of [1, 2, 3, 0]) out.push([`arp op${op} ${spa}>${tpa}`, eth(arp({ op, spa, tpa }))]);
    }
  }
  for (const [f, v] of [['htype', 6], ['htype', 0], ['ptype', 0x86dd], ['ptype', 0], ['hlen', 8], ['hlen', 0], ['plen', 16], ['plen', 6]] as const) {
    for (const op of [1, 2]) out.push([`arp op${op} ${f}=${v}`, eth(arp({ op, [f]: v }))]);
  }
  for (const n of [14, 15, 20, 21, 22, 23, 28, 30, 31, 32, 35, 38, 40, 41, 42, 43, 60]) {
    out.push([`arp request cut to ${n}`, eth(arp(), { truncateTo: n })]);
    out.push([`arp reply cut to ${n}`, eth(arp({ op: 2, spa: '10.0.0.9' }), { truncateTo: n })]);
  }
  out.push(['arp request padded', eth(arp(), { minLength: 60 })]);
  out.push(['arp to the broadcast MAC from us', eth(arp({ tpa: '169.254.68.5' }), { dst: '20:90:6f:fc:fc:fc' })]);
  const tcp = { kind: 'tcp', sport: 40000, dport: 443, flags: 0x02 } as const;
  const udp = { kind: 'udp', sport: 40000, dport: 53 } as const;
  for (const [n, body] of [
    ['ipv4 tcp', { kind: 'ipv4', src: '169.254.68.6', dst: '93.184.216.34', payload: tcp }],
    ['ipv4 udp', { kind: 'ipv4', src: '169.254.68.6', dst: '169.254.68.5', payload: udp }],
    ['ipv4 icmp', { kind: 'ipv4', src: '10.1.1.1', dst: '10.2.2.2', payload: { kind: 'icmp', type: 8 } }],
    ['ipv6 tcp', { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', payload: tcp }],
    ['ipv6 udp 19', { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', payload: { ...udp, dport: 19 } }],
    ['ipv6 udp', { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', payload: udp }],
    ['ipv6 icmpv6', { kind: 'ipv6', src: 'fe80::1', dst: 'ff02::1', payload: { kind: 'icmpv6', type: 135 } }],
    ['ipv6 hop-by-hop tcp', { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ kind: 'hop' }], payload: tcp }],
    ['ipv6 raw 59', { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', payload: { kind: 'raw', protocol: 59, bytes: new Uint8Array(0) } }],
  ] as [string, L3Spec][]) {
    out.push([n, eth(body)]);
    for (const cut of [16, 30, 40, 53, 54, 55, 61, 62]) out.push([`${n} cut to ${cut}`, eth(body, { truncateTo: cut })]);
    for (const vid of [10, 20, 30]) out.push([`vlan ${vid} ${n}`, eth(body, { vlans: [{ vid }] })]);
    out.push([`qinq ${n}`, eth(body, { vlans: [{ tpid: 0x88a8, vid: 100 }, { vid: 10 }] })]);
  }
  for (const vid of [10, 20, 30, 4095]) {
    out.push([`vlan ${vid} arp`, eth(arp(), { vlans: [{ vid }] })]);
    out.push([`vlan ${vid} lldp`, eth(raw(0x88cc), { vlans: [{ vid, pcp: 5 }] })]);
    out.push([`vlan ${vid} tag only`, eth(arp(), { vlans: [{ vid }], truncateTo: 17 })]);
  }
  for (const t of [0x0000, 0x05dc, 0x0600, 0x0800, 0x0806, 0x8035, 0x8100, 0x86dd, 0x8863, 0x8864, 0x88a8, 0x88cc, 0x88e5, 0x8906, 0x9100, 0xffff]) {
    out.push([`raw ethertype 0x${t.toString(16)}`, eth(raw(t))]);
    out.push([`raw ethertype 0x${t.toString(16)} short`, eth(raw(t, 2))]);
  }
  return out;
}

/** Every frame of the suite, named; `mutations` random single-byte changes on top. */
export function l2Frames(mutations = 1500, seed = 'l2-classifier'): NamedFrame[] {
  const rng = createRng(seed);
  const out: NamedFrame[] = bases().map(([name, spec]) => ({ name, bytes: buildFrame(spec) }));
  for (let n = 0; n < 14; n++) out.push({ name: `runt ${n}`, bytes: rng.bytes(n) });
  const seeds = out.filter((f) => f.bytes.length >= 14);
  for (let i = 0; i < mutations; i++) {
    const base = rng.pick(seeds);
    const bytes = base.bytes.slice();
    // Mostly the headers a classifier reads: the first 62 bytes.
    const at = rng.chance(0.9) ? rng.int(Math.min(bytes.length, 62)) : rng.int(bytes.length);
    const value = rng.chance(0.5) ? rng.pick([0, 1, 2, 4, 6, 8, 0x11, 0x3a, 0x86, 0xdd, 0x06, 0x08, 0x81, 0xff]) : rng.int(256);
    bytes[at] = value;
    const cut = rng.chance(0.2) ? rng.range(14, bytes.length) : bytes.length;
    out.push({ name: `${base.name} [${at}]=${value}${cut < bytes.length ? ` cut ${cut}` : ''}`, bytes: bytes.subarray(0, cut) });
  }
  return out;
}
