/**
 * validateIr accepts the fixtures and refuses each kind of broken IR with IR_INVALID
 * naming the JSON path of what is wrong (IR_VERSION for another version).
 */
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { irProblems, validateIr } from '../../src/ir/validate.js';
import { fullIr } from './fixtures.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- mutations write anywhere in the tree */
type Loose = any;

function broken(mutate: (ir: Loose) => void): unknown {
  const ir = structuredClone(fullIr()) as Loose;
  mutate(ir);
  return ir;
}

function codeAndMessage(x: unknown): { code: string; message: string } {
  try {
    validateIr(x);
  } catch (e) {
    if (isBpf2pfError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'ACCEPTED', message: '' };
}

describe('validateIr accepts', () => {
  it('the full fixture, returning it', () => {
    const ir = fullIr();
    expect(irProblems(ir)).toEqual([]);
    expect(validateIr(ir)).toBe(ir);
  });

  it('the same IR after a JSON round trip', () => {
    expect(irProblems(JSON.parse(JSON.stringify(fullIr())))).toEqual([]);
  });

  it('optional fields set to undefined, as TypeScript code may build them', () => {
    const ir = fullIr();
    const rules = ir.rules.map((r) => ({ ...r, tag: r.tag ?? undefined, routeTo: r.routeTo ?? undefined, dnpipe: r.dnpipe ?? undefined }));
    expect(irProblems({ ...ir, rules })).toEqual([]);
  });
});

/** [what is broken, the mutation, the path the first problem must name]. */
const CASES: readonly (readonly [string, (ir: Loose) => void, string])[] = [
  // shape
  ['not an object', (ir) => (ir.rules = 'none'), '$.rules'],
  ['a missing field', (ir) => delete ir.rules[2].keepState, '$.rules[2].keepState'],
  ['an unknown field', (ir) => (ir.rules[0].match.ttl = 5), '$.rules[0].match.ttl'],
  ['an unknown enum value', (ir) => (ir.rules[1].direction = 'both'), '$.rules[1].direction'],
  ['an unknown union tag', (ir) => (ir.rules[0].match.src.address = { kind: 'table', set: 'blocked' }), '$.rules[0].match.src.address.kind'],
  ['a union branch with a foreign field', (ir) => (ir.rules[0].match.src.address.cidr = '10.0.0.0/8'), '$.rules[0].match.src.address.cidr'],
  ['a port out of range', (ir) => (ir.rules[3].match.dstPort.port = 65536), '$.rules[3].match.dstPort.port'],
  ['a fractional number', (ir) => (ir.pipes[0].burstBytes = 1.5), '$.pipes[0].burstBytes'],
  ['protocol 0', (ir) => (ir.rules[2].match.proto = [0]), '$.rules[2].match.proto[0]'],
  ['a protocol twice', (ir) => (ir.rules[2].match.proto = [6, 6]), '$.rules[2].match.proto[1]'],
  ['an empty protocol list', (ir) => (ir.rules[2].match.proto = []), '$.rules[2].match.proto'],
  ['a fidelity missing', (ir) => delete ir.pipes[1].fidelity, '$.pipes[1].fidelity'],
  ['an approximate fidelity without a reason', (ir) => (ir.classifiers[0].fidelity = { level: 'approximate' }), '$.classifiers[0].fidelity.reason'],
  ['a note on two lines', (ir) => (ir.rules[0].note = 'drop\npass all'), '$.rules[0].note'],
  ['a table name too long for pf', (ir) => (ir.sets[0].name = 'b'.repeat(32)), '$.sets[0].name'],
  ['a tag with a space', (ir) => (ir.rules[1].tag = 'two words'), '$.rules[1].tag'],
  ['a malformed sha256', (ir) => (ir.inputs[0].sha256 = 'xyz'), '$.inputs[0].sha256'],
  ['a record key that is no field name', (ir) => (ir.families[0].instances[0].values['not-a-field'] = '1.2.3.4'), '$.families[0].instances[0].values["not-a-field"]'],
  ['a 14.x release written wrong', (ir) => (ir.target.release = '14'), '$.target.release'],
  // names pf would refuse
  ['a reserved word as a macro', (ir) => (ir.interfaces[2].name = 'any'), '$.interfaces[2].name'],
  ['a group name ending in a digit', (ir) => (ir.interfaces[1].freebsd = 'taps0'), '$.interfaces[1].freebsd'],
  // uniqueness
  ['two rules with one id', (ir) => (ir.rules[4].id = ir.rules[1].id), '$.rules[4].id'],
  ['two sets with one name', (ir) => (ir.sets[1].name = 'blocked'), '$.sets[1].name'],
  ['two instances with one name', (ir) => (ir.families[0].instances[1].name = 'sb7'), '$.families[0].instances[1].name'],
  ['two instances with one ifindex', (ir) => (ir.families[0].instances[1].ifindex = 7), '$.families[0].instances[1].ifindex'],
  ['two pipes with one id', (ir) => (ir.pipes[1].id = 7), '$.pipes[1].id'],
  ['two interfaces with one ifindex', (ir) => (ir.interfaces[2].ifindex = 2), '$.interfaces[2].ifindex'],
  // references
  ['a set that does not exist', (ir) => (ir.rules[0].match.src.address.set = 'nosuch'), '$.rules[0].match.src.address.set'],
  ['a family set in a global rule', (ir) => (ir.rules[0].match.src.address.set = 'allowed'), '$.rules[0].match.src.address.set'],
  ['a family that does not exist', (ir) => (ir.rules[2].scope.family = 'other'), '$.rules[2].scope.family'],
  ['an interface that does not exist', (ir) => (ir.rules[0].interface = 'wan'), '$.rules[0].interface'],
  ['a family rule off its family interface', (ir) => (ir.rules[2].interface = 'uplink'), '$.rules[2].interface'],
  ['a pipe that does not exist', (ir) => (ir.rules[1].dnpipe = 9), '$.rules[1].dnpipe'],
  ['a family pipe in a global rule', (ir) => (ir.rules[0].dnpipe = 7), '$.rules[0].dnpipe'],
  ['a family value in a global rule', (ir) => (ir.rules[0].match.src.address = { kind: 'familyValue', field: 'ip' }), '$.rules[0].match.src.address.field'],
  ['a family value an instance lacks', (ir) => delete ir.families[0].instances[1].values.ip, '$.rules[1].match.src.address.field'],
  ['a route to an unknown interface', (ir) => (ir.rules[2].routeTo.interface.name = 'wan'), '$.rules[2].routeTo.interface.name'],
  ['a classifier on an unknown interface', (ir) => (ir.classifiers[0].interface = 'wan'), '$.classifiers[0].interface'],
  ['a classifier scoped to an unknown family', (ir) => (ir.classifiers[0].scope = { kind: 'family', family: 'other' }), '$.classifiers[0].scope.family'],
  ['a family classifier off its family\'s interface', (ir) => ((ir.classifiers[0].scope = { kind: 'family', family: 'coppice' }), (ir.classifiers[0].interface = 'uplink')), '$.classifiers[0].interface'],
  ['a family set an instance does not fill', (ir) => delete ir.families[0].instances[1].sets.allowed, '$.families[0].instances[1].sets.allowed'],
  ['an instance set that is not the family\'s', (ir) => (ir.families[0].instances[0].sets.blocked = []), '$.families[0].instances[0].sets.blocked'],
  ['a set scoped to an unknown family', (ir) => (ir.sets[2].scope.family = 'other'), '$.sets[2].scope.family'],
  // contents
  ['a table entry that is no prefix', (ir) => (ir.sets[0].contents[1] = '!198.51.100.300'), '$.sets[0].contents[1]'],
  ['an IPv6 entry in an IPv4 set', (ir) => (ir.sets[0].contents[0] = '2001:db8::/32'), '$.sets[0].contents[0]'],
  ['a prefix both plain and negated', (ir) => ir.sets[0].contents.push('198.51.100.7'), '$.sets[0].contents[4]'],
  ['a family set with global contents', (ir) => (ir.sets[2].contents = ['10.0.0.0/8']), '$.sets[2].contents'],
  ['a port list entry that is no port', (ir) => (ir.families[0].instances[0].sets.svc_ports = ['http']), '$.families[0].instances[0].sets.svc_ports[0]'],
  // criteria pf refuses together
  ['ports without tcp/udp', (ir) => (ir.rules[3].match.proto = [1]), '$.rules[3].match.dstPort'],
  ['an empty port range', (ir) => (ir.rules[3].match.dstPort = { op: 'range', from: 90, to: 80 }), '$.rules[3].match.dstPort.from'],
  ['TCP flags on udp', (ir) => (ir.rules[3].match.proto = [17]), '$.rules[3].match.tcpFlags'],
  ['flags outside the mask', (ir) => (ir.rules[3].match.tcpFlags = { set: 0x02, mask: 0x10 }), '$.rules[3].match.tcpFlags.set'],
  ['an ICMP type on tcp', (ir) => (ir.rules[4].match.proto = [6]), '$.rules[4].match.icmpType'],
  ['a translating pass rule without state', (ir) => (ir.rules[3].keepState = false), '$.rules[3].keepState'],
  ['an ICMPv4 type on icmp6', (ir) => (ir.rules[4].match.af = 'inet'), '$.rules[4].match.icmpType'],
  ['a v4 set in an inet6 rule', (ir) => (ir.rules[0].match.af = 'inet6'), '$.rules[0].match.src.address.set'],
  ['a v6 literal in an inet rule', (ir) => (ir.rules[3].translations[0].to.cidr = '2001:db8::7'), '$.rules[3].translations[0].to.cidr'],
  ['a fragment rule with ports', (ir) => (ir.rules[3].match.fragment = true), '$.rules[3].match.fragment'],
  // actions
  ['a pass rule without provenance', (ir) => (ir.rules[4].provenance = []), '$.rules[4].provenance'],
  ['a block rule keeping state', (ir) => (ir.rules[0].keepState = true), '$.rules[0].keepState'],
  ['a block rule translating', (ir) => (ir.rules[0].translations = [{ kind: 'nat', to: { kind: 'cidr', cidr: '192.0.2.1' } }]), '$.rules[0].translations'],
  ['a quick match rule', (ir) => (ir.rules[1].quick = true), '$.rules[1].quick'],
  ['a route on a block rule', (ir) => (ir.rules[0].routeTo = { interface: { kind: 'interface', name: 'mgmt' } }), '$.rules[0].routeTo'],
  ['a translation to any', (ir) => (ir.rules[3].translations[0].to = { kind: 'any' }), '$.rules[3].translations[0].to'],
  ['two nat translations', (ir) => ir.rules[2].translations.push({ kind: 'nat', to: { kind: 'cidr', cidr: '192.0.2.9' } }), '$.rules[2].translations[1].kind'],
  ['binat with rdr', (ir) => ir.rules[3].translations.push({ kind: 'binat', to: { kind: 'cidr', cidr: '192.0.2.9' } }), '$.rules[3].translations'],
  ['a nexthop that is no address', (ir) => (ir.rules[2].routeTo.nexthop = '192.0.2.0/24'), '$.rules[2].routeTo.nexthop'],
  ['familyInterface in a global rule', (ir) => (ir.rules[3].routeTo = { interface: { kind: 'familyInterface' } }), '$.rules[3].routeTo.interface'],
  // state
  ['an unknown timeout', (ir) => (ir.state.timeouts['tcp.forever'] = 1), '$.state.timeouts["tcp.forever"]'],
  ['an unknown limit', (ir) => (ir.state.limits.tables = 1000), '$.state.limits.tables'],
];

describe('validateIr refuses', () => {
  for (const [what, mutate, path] of CASES) {
    it(`${what}, naming ${path}`, () => {
      const x = broken(mutate);
      const problems = irProblems(x);
      expect(problems.map((q) => q.path)).toContain(path);
      const { code, message } = codeAndMessage(x);
      expect(code).toBe('IR_INVALID');
      expect(message).toContain(path);
    });
  }

  it('another version with IR_VERSION', () => {
    expect(codeAndMessage(broken((ir) => (ir.version = 2)))).toMatchObject({ code: 'IR_VERSION' });
  });

  it('values that are not IRs at all', () => {
    for (const x of [null, 42, 'ir', [], { version: 1 }]) expect(codeAndMessage(x).code).toBe('IR_INVALID');
  });

  it('lists at most five problems and counts the rest', () => {
    const x = broken((ir) => {
      for (const r of ir.rules) r.direction = 'sideways';
    });
    const { message } = codeAndMessage(x);
    expect(message).toContain('(and 1 more)');
    expect(message.split('; ')).toHaveLength(5);
  });
});
