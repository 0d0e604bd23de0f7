import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPolicy } from '../../src/translate/pipeline.js';
import type { PolicyIR } from '../../src/ir/types.js';

const OBJECTS = ['corpus/coppice/mvmtap.o', 'corpus/coppice/nodenic.o', 'corpus/coppice/localgw.o'];
const REQUEST = { objects: OBJECTS, profile: 'corpus/coppice/profile.yaml', snapshot: 'corpus/coppice/snapshot.json', consts: [] };

let cached: PolicyIR | undefined;
async function coppice(): Promise<PolicyIR> {
  cached ??= (await buildPolicy(REQUEST)).ir;
  return cached;
}

describe('buildIr on the Coppice corpus', () => {
  it('makes one family instance per registered sandbox, with its own allow and deny sets from the snapshot', async () => {
    const ir = await coppice();
    expect(ir.families.length).toBe(1);
    const fam = ir.families[0];
    expect(fam.keyedBy.map).toBe('ifindex_to_mvmmeta');
    const snapshot = JSON.parse(readFileSync('corpus/coppice/snapshot.json', 'utf8')) as { maps: Record<string, { entries: unknown[] }> };
    expect(fam.instances.length).toBe(snapshot.maps.ifindex_to_mvmmeta.entries.length);
    const sets = ir.sets.filter((s) => s.scope.kind === 'family').map((s) => s.source.map).sort();
    // allow_out twice: the whole set, and the entries without the L7 flag (see below).
    expect(sets).toEqual(['allow_out', 'allow_out', 'deny_out']);
    // The private ranges for every sandbox; 103 has no internet (0.0.0.0/0 covers them).
    for (const i of fam.instances) expect(i.sets.deny_out).toContain(i.ifindex === 103 ? '0.0.0.0/0' : '10.0.0.0/8');
    expect(fam.instances.map((i) => i.interface)).toEqual(['tap101', 'tap102', 'tap103']);
  });

  it('splits the allow set on the L7 flag its entries carry: only entries without it are NATed out', async () => {
    const ir = await coppice();
    const subset = ir.sets.find((s) => s.source.map === 'allow_out' && s.valueCondition !== null);
    expect(subset).toBeDefined();
    const fam = ir.families[0];
    const snapshot = JSON.parse(readFileSync('corpus/coppice/snapshot.json', 'utf8')) as { maps: Record<string, { entries: { key: string; inner?: { entries: { key: string; value: string }[] } }[] }> };
    for (const inst of fam.instances) {
      const outer = snapshot.maps.allow_out.entries.find((e) => e.key === inst.key);
      const entries = outer?.inner?.entries ?? [];
      // LPM key: u32 prefix length (little-endian) then the address; value: u32 flags, bit 0 = L7.
      // The IR writes a host without /32.
      const cidr = (k: string): string => {
        const len = parseInt(k.slice(0, 2), 16);
        return `${[4, 5, 6, 7].map((i) => parseInt(k.slice(2 * i, 2 * i + 2), 16)).join('.')}${len === 32 ? '' : `/${len}`}`;
      };
      const plain = entries.filter((e) => (parseInt(e.value.slice(0, 2), 16) & 1) === 0).map((e) => cidr(e.key)).sort();
      expect([...inst.sets[subset!.name]].sort()).toEqual(plain);
      expect(inst.sets.allow_out.length).toBe(entries.length);
    }
    // Some sandbox has an L7 entry, so the split matters: it is in allow_out and not in the subset.
    expect(fam.instances.some((i) => i.sets.allow_out.length > i.sets[subset!.name].length)).toBe(true);
    // NAT to the pool (flows steered to the L7 proxy keep their own rule below).
    const nat = ir.rules.filter((r) => r.action === 'pass' && r.match.dst?.address.kind === 'set' && r.translations.some((t) => t.kind === 'nat' && t.to.kind === 'set'));
    expect(nat.length).toBeGreaterThan(0);
    for (const r of nat) expect(r.match.dst?.address).toEqual({ kind: 'set', set: subset!.name });
  });

  it('steers L7 flows to the proxy the profile names (tag, rdr-to), and without marks in the profile blocks them and says why', async () => {
    const ir = await coppice();
    const steered = (tag: string) => ir.rules.filter((r) => r.program === 'from_cube' && r.tag === tag);
    const http = steered('l7_http');
    const https = steered('l7_https');
    expect(http).toHaveLength(1);
    expect(https).toHaveLength(1);
    for (const [r, port] of [[http[0], 15001], [https[0], 15002]] as const) {
      expect(r).toMatchObject({ action: 'pass', keepState: true, match: { proto: [6], dst: { address: { kind: 'set', set: 'allow_out' }, negate: false } } });
      expect(r.translations[0]).toEqual({ kind: 'rdr', to: { kind: 'cidr', cidr: '127.0.0.1/32' }, port });
      expect(r.routeTo).toBeUndefined();
    }
    expect(https[0].match.dstPort).toEqual({ op: 'eq', port: 443 });
    // Port 80 is what is left once 443 and every other port are taken by the rules before it.
    const before = ir.rules.slice(0, ir.rules.indexOf(http[0]));
    expect(before.some((r) => r.action === 'block' && r.match.dstPort?.op === 'ne' && r.match.dstPort.port === 80 && r.match.dst?.address.kind === 'set')).toBe(true);
    expect(ir.findings.some((f) => f.code === 'B2P-L7-PROXY' && f.message.includes('l7_http') && f.message.includes('127.0.0.1 port 15001'))).toBe(true);

    const profile = join(mkdtempSync(join(tmpdir(), 'b2p-nomarks-')), 'profile.yaml');
    writeFileSync(profile, readFileSync(REQUEST.profile, 'utf8').replace(/\nmarks:[\s\S]*$/, '\n'));
    const bare = (await buildPolicy({ ...REQUEST, profile })).ir;
    expect(bare.rules.some((r) => r.tag !== undefined)).toBe(false);
    const refused = bare.findings.filter((f) => f.code === 'B2P-UNTRANSLATED-PATH' && f.message.includes('sets the mark bits 0xffff0000 to 0xce010000'));
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused) expect(bare.rules.find((r) => f.message.includes(`rule ${r.id} `))?.action).toBe('block');
  });

  it('source-NATs sandbox traffic to the pool and routes it to the host NIC', async () => {
    const ir = await coppice();
    const nat = ir.rules.filter((r) => r.program === 'from_cube' && r.action === 'pass' && r.translations.some((t) => t.kind === 'nat' && t.to.kind === 'set'));
    expect(nat.length).toBeGreaterThan(0);
    for (const r of nat) {
      // The next hop is the profile's gateway of host_nic: the objects hold only its MAC.
      expect(r.routeTo).toEqual({ interface: { kind: 'interface', name: 'host_nic' }, nexthop: '9.135.10.1' });
      expect(r.keepState).toBe(true);
    }
    const pool = ir.sets.find((s) => s.source.map === 'snat_iplist');
    expect(pool?.contents.length).toBeGreaterThan(0);
    expect(ir.findings.some((f) => f.code === 'B2P-ROUTE-NEXTHOP')).toBe(false);
  });

  it('NATs sandbox DNS queries out like any datagram: the parser stages it cannot follow end in the same delivery', async () => {
    const ir = await coppice();
    // UDP to port 53 of an allowed destination: the rule after the one for other ports, same NAT and route.
    const dns = ir.rules.filter((r) => r.program === 'from_cube' && r.action === 'pass' && r.match.proto?.includes(17) && r.match.dstPort === undefined);
    expect(dns.length).toBeGreaterThan(0);
    for (const r of dns) {
      expect(r.translations.some((t) => t.kind === 'nat' && t.to.kind === 'set')).toBe(true);
      expect(r.fidelity).toMatchObject({ level: 'approximate', reason: expect.stringContaining('the tail call into cube_dns_name is not translated') });
      const before = ir.rules.slice(0, ir.rules.indexOf(r)).filter((x) => x.match.dstPort?.op === 'ne' && x.match.dstPort.port === 53);
      expect(before.length).toBeGreaterThan(0);
    }
  });

  it('says that pf does not route the sandboxes\' replies to their TAP, as from_world does', async () => {
    const ir = await coppice();
    const replies = ir.findings.filter((f) => f.code === 'B2P-STATE-REPLY');
    // from_world sends the replies of from_cube's connections to the TAP egress_sessions names.
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ severity: 'warning', program: 'from_world', object: 'corpus/coppice/nodenic.o', source: { file: expect.stringMatching(/nodenic\.bpf\.c$/), text: 's = bpf_map_lookup_elem(&egress_sessions, &key);' } });
    expect(replies[0].message).toMatch(/^\d+ paths of from_world send packets of connections the rules of from_cube \(on sandbox_taps\) create to the interface their egress_sessions entry names \(egress_sessions\.vm_ifindex\): these are replies/);
    // from_cube's own known connections go the way its rules' route-to sends them: pf does that.
    expect(ir.findings.some((f) => f.code === 'B2P-STATE-REPLY' && f.program === 'from_cube')).toBe(false);
    // from_world's session finding points at the replies instead of saying there is nothing to do.
    const state = (program: string, findings = ir.findings) => findings.find((f) => f.code === 'B2P-STATE' && f.program === program)!;
    expect(state('from_world').suggestion).toMatch(/^route the replies of these connections as B2P-STATE-REPLY says/);
    expect(state('from_cube').suggestion).toMatch(/^nothing to do;/);
    // Without from_cube, nobody's rules create those connections here: nothing to say.
    const alone = (await buildPolicy({ ...REQUEST, objects: [OBJECTS[1]], snapshot: undefined })).ir;
    expect(alone.findings.some((f) => f.code === 'B2P-STATE-REPLY')).toBe(false);
    expect(state('from_world', alone.findings).suggestion).toMatch(/^nothing to do;/);
  });

  it('warns when a rule routes out of an interface the profile gives no gateway for', async () => {
    const profile = join(mkdtempSync(join(tmpdir(), 'b2p-nogw-')), 'profile.yaml');
    writeFileSync(profile, readFileSync(REQUEST.profile, 'utf8').replace(/^\s+gateway:.*\n(\s+#.*\n)*/m, ''));
    const ir = (await buildPolicy({ ...REQUEST, profile })).ir;
    const routed = ir.rules.filter((r) => r.routeTo?.interface.kind === 'interface');
    expect(routed.length).toBeGreaterThan(0);
    for (const r of routed) expect(r.routeTo?.nexthop).toBeUndefined();
    const warned = ir.findings.filter((f) => f.code === 'B2P-ROUTE-NEXTHOP');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ severity: 'warning', program: 'from_cube', suggestion: expect.stringContaining('interfaces.host_nic.gateway') });
    for (const r of routed) expect(warned[0].message).toContain(r.id);
  });

  it('forwards each host port into the sandbox its remote_port_mapping entry names, and blocks an entry naming no registered sandbox', async () => {
    const ir = await coppice();
    const rdr = ir.rules.filter((r) => r.program === 'from_world' && r.translations.some((t) => t.kind === 'rdr'));
    // Entries: host port 2222 -> sandbox 102 port 22, 8080 -> 101 port 80 (snapshot.json).
    const seen = rdr.map((r) => [r.match.dstPort, r.routeTo?.interface, r.translations.find((t) => t.kind === 'rdr')]);
    expect(seen).toContainEqual([{ op: 'eq', port: 2222 }, { kind: 'instance', ifindex: 102 }, expect.objectContaining({ kind: 'rdr', port: 22 })]);
    expect(seen).toContainEqual([{ op: 'eq', port: 8080 }, { kind: 'instance', ifindex: 101 }, expect.objectContaining({ kind: 'rdr', port: 80 })]);

    // The same snapshot with port 2222 sent to ifindex 999, which no sandbox has: the
    // program's redirect there fails (a drop), so the rule is a block and a finding says why.
    const snapshot = JSON.parse(readFileSync('corpus/coppice/snapshot.json', 'utf8')) as { maps: Record<string, { entries: { key: string; value: string }[] }> };
    const entry = snapshot.maps.remote_port_mapping.entries.find((e) => e.key === '08ae')!;
    entry.value = `e7030000${entry.value.slice(8)}`;
    const file = join(mkdtempSync(join(tmpdir(), 'b2p-stale-')), 'snapshot.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const stale = (await buildPolicy({ ...REQUEST, snapshot: file })).ir;
    const rule = stale.rules.find((r) => r.program === 'from_world' && r.match.dstPort?.op === 'eq' && r.match.dstPort.port === 2222)!;
    expect(rule.action).toBe('block');
    expect(rule.routeTo).toBeUndefined();
    expect(stale.findings.some((f) => f.code === 'B2P-UNTRANSLATED-PATH' && f.message.includes(`rule ${rule.id}`) && f.message.includes('ifindex 999'))).toBe(true);
  });

  it('with reassemble: true, filters whole datagrams: no fragment rule, fragment-only paths counted approximate; without it, blocks the fragments it must translate', async () => {
    const ir = await coppice();
    expect(ir.state.reassemble).toBe(true);
    expect(ir.rules.some((r) => r.match.fragment !== undefined)).toBe(false);
    const told = ir.findings.filter((f) => f.code === 'B2P-FRAG-REASSEMBLED');
    expect(told.map((f) => f.program).sort()).toEqual(['from_cube', 'from_envoy', 'from_world']);
    for (const f of told) expect(f).toMatchObject({ severity: 'warning', source: { file: expect.stringContaining('coppice_helpers.h') } });
    expect(ir.findings.some((f) => f.severity === 'error')).toBe(false);
    const envoy = ir.coverage.find((c) => c.program === 'from_envoy')!;
    expect(envoy.paths).toMatchObject({ untranslated: 0, approximate: Number(/: (\d+) paths? the program takes/.exec(told.find((f) => f.program === 'from_envoy')!.message)![1]) });

    const profile = join(mkdtempSync(join(tmpdir(), 'b2p-noreasm-')), 'profile.yaml');
    writeFileSync(profile, readFileSync(REQUEST.profile, 'utf8').replace(/\nreassemble: true\n/, '\n'));
    const apart = (await buildPolicy({ ...REQUEST, profile })).ir;
    expect(apart.state.reassemble).toBe(false);
    expect(apart.findings.some((f) => f.code === 'B2P-FRAG-REASSEMBLED')).toBe(false);
    const blocked = apart.rules.filter((r) => r.program === 'from_envoy' && r.match.fragment === true);
    expect(blocked.length).toBeGreaterThan(0);
    for (const r of blocked) expect(r.action).toBe('block');
    const errors = apart.findings.filter((f) => f.code === 'B2P-UNTRANSLATED-PATH' && f.message.includes('fragment'));
    expect(errors.length).toBeGreaterThan(0);
    for (const f of errors) expect(f.suggestion).toContain('reassemble: true');
  });

  it('fails closed: every rule the recognisers could not state is a block, and says why', async () => {
    const ir = await coppice();
    for (const r of ir.rules) {
      if (r.fidelity.level === 'approximate' && r.fidelity.reason.startsWith('blocked (fail closed)')) expect(r.action).toBe('block');
    }
    const closed = ir.rules.filter((r) => r.fidelity.level === 'approximate' && r.fidelity.reason.startsWith('blocked'));
    const findings = ir.findings.filter((f) => f.code === 'B2P-UNTRANSLATED-PATH');
    expect(findings.length).toBe(closed.length);
  });

  it('reports the DNS tail-call chain instead of translating it; ARP and other frames go to an ng_bpf classifier (info only)', async () => {
    const ir = await coppice();
    const codes = new Set(ir.findings.map((f) => `${f.program}:${f.code}`));
    expect([...codes].some((c) => c.endsWith('B2P-TAILCALL-NOT-FOLLOWED'))).toBe(true);
    expect(codes.has('from_cube:B2P-STATE')).toBe(true);
    // ARP is no longer untranslated: the findings say where the paths went.
    const l2 = ir.findings.filter((f) => f.code.startsWith('B2P-L2'));
    expect(l2.some((f) => f.program === 'from_cube' && f.code === 'B2P-L2-ARP')).toBe(true);
    for (const f of l2) expect(f.severity).toBe('info');
    expect(ir.classifiers.map((c) => [c.name, c.interface, c.hook, c.scope])).toEqual([['from_cube_l2', 'sandbox_taps', 'lower', { kind: 'family', family: 'sandbox_taps' }]]);
    // from_world and from_envoy pass every non-IPv4 frame on, as FreeBSD does: no classifier.
    expect(l2.filter((f) => f.program !== 'from_cube').every((f) => /no classifier needed/.test(f.message))).toBe(true);
  });

  it('shapes sandbox egress with one dummynet pipe per sandbox, at the rate egress_rate holds for it', async () => {
    const ir = await coppice();
    expect(ir.pipes).toHaveLength(1);
    const pipe = ir.pipes[0];
    expect(pipe).toMatchObject({ scope: { kind: 'family', family: 'sandbox_taps' }, rate: { kind: 'map', map: 'egress_rate', field: 'bytes_per_sec' } });
    const snapshot = JSON.parse(readFileSync('corpus/coppice/snapshot.json', 'utf8')) as { maps: Record<string, { entries: { key: string; value: string }[] }> };
    for (const i of ir.families[0].instances) {
      const e = snapshot.maps.egress_rate.entries.find((x) => x.key === i.key)!;
      expect(i.values.bytes_per_sec).toBe(Buffer.from(e.value, 'hex').readBigUInt64LE(0).toString());
    }
    // The limiter runs on the way out to the host NIC (NAT and port-forward replies), not to the gateway.
    const shaped = ir.rules.filter((r) => r.dnpipe === pipe.id);
    expect(shaped.length).toBeGreaterThan(0);
    for (const r of shaped) expect(r).toMatchObject({ program: 'from_cube', action: 'pass', routeTo: { interface: { kind: 'interface', name: 'host_nic' } } });
    const toGateway = ir.rules.filter((r) => r.program === 'from_cube' && r.action === 'pass' && !r.routeTo);
    expect(toGateway.length).toBeGreaterThan(0);
    for (const r of toGateway) expect(r.dnpipe).toBeUndefined();
    expect(ir.findings.some((f) => f.code === 'B2P-MAP-UNCLAIMED' && f.message.includes('egress_rate'))).toBe(false);
  });

  it('gives every rule provenance down to source lines', async () => {
    const ir = await coppice();
    for (const r of ir.rules) {
      expect(r.provenance.length).toBeGreaterThan(0);
      expect(r.provenance.some((p) => p.sources.length > 0)).toBe(true);
    }
  });

  it('counts every lifted path once in the coverage', async () => {
    const ir = await coppice();
    for (const c of ir.coverage) {
      expect(c.paths.total).toBeGreaterThan(0);
      expect(c.paths.exact + c.paths.approximate + c.paths.untranslated).toBe(c.paths.total);
    }
  });

  it('is deterministic', async () => {
    const a = JSON.stringify(await coppice());
    const b = JSON.stringify((await buildPolicy(REQUEST)).ir);
    expect(b).toBe(a);
  });
});
