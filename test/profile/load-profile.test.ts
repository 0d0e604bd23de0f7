import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadProfile, parseProfile } from '../../src/profile/load-profile.js';
import { repoRoot } from '../support/corpus.js';

const COPPICE = join(repoRoot, 'corpus/coppice/profile.yaml');
const coppiceText = readFileSync(COPPICE, 'utf8');

/** The PROFILE_INVALID message for a profile text, or 'ok'. */
function problem(text: string): string {
  try {
    parseProfile(text, 'p.yaml');
    return 'ok';
  } catch (e) {
    if (isBpf2pfError(e) && e.code === 'PROFILE_INVALID') return e.message;
    throw e;
  }
}

const minimal = (body: string): string => `version: 1\n${body}`;

describe('loadProfile', () => {
  it('reads the Coppice profile', () => {
    const p = loadProfile(COPPICE);
    expect(p.source).toBe(COPPICE);
    expect(p.target).toEqual({ freebsd: '15.0', supported: ['14.3', '15.0'] });
    expect(p.interfaces).toEqual([
      { name: 'host_nic', freebsd: 'vtnet0', group: false, ifindex: 2, gateway: '9.135.10.1' },
      { name: 'cube_dev', freebsd: 'cube-dev', group: false, ifindex: 216 },
      { name: 'sandbox_taps', freebsd: 'tap', group: true, ifindex: null },
    ]);
    expect(p.programs).toEqual([
      { name: 'from_cube', object: 'mvmtap', section: 'tc', attach: { interface: 'sandbox_taps', direction: 'in' } },
      { name: 'from_world', object: 'nodenic', section: 'tc', attach: { interface: 'host_nic', direction: 'in' } },
      { name: 'from_envoy', object: 'localgw', section: 'tc', attach: { interface: 'cube_dev', direction: 'out' } },
    ]);
    expect(p.constants).toEqual([]);
    expect(p.timeouts.tcp_established).toBe(10800);
    expect(p.timeouts.tcp_time_wait_sandbox_closed).toBe(10);
    expect(p.limits).toEqual({ states: 1048576, sandboxes: 8192 });
    expect(p.marks).toEqual([
      { name: 'l7_http', value: 0xce010000, mask: 0xffff0000, proxy: { address: '127.0.0.1', port: 15001 } },
      { name: 'l7_https', value: 0xce020000, mask: 0xffff0000, proxy: { address: '127.0.0.1', port: 15002 } },
    ]);
    expect(p.reassemble).toBe(true);
    expect(p.assumptions).toEqual([]);
    // lines point at the keys in the file
    const fileLines = coppiceText.split('\n');
    expect(fileLines[p.lines['programs.from_envoy'] - 1]).toMatch(/^\s+from_envoy:/);
    expect(fileLines[p.lines['timeouts.icmp'] - 1]).toMatch(/^\s+icmp: 30/);
  });

  it('is the same profile every time (deterministic plain data)', () => {
    expect(JSON.stringify(loadProfile(COPPICE))).toBe(JSON.stringify(loadProfile(COPPICE)));
  });

  it('an unreadable file is an IO error', () => {
    expect(() => loadProfile('/nonexistent/profile.yaml')).toThrow(expect.objectContaining({ code: 'IO' }));
  });

  it('fills defaults for the optional sections', () => {
    const p = parseProfile('version: 1\n', 'p.yaml');
    expect(p.target.freebsd).toBe('15.0');
    expect(p.interfaces).toEqual([]);
    expect(p.programs).toEqual([]);
    expect(p.timeouts).toEqual({});
    expect(p.limits).toEqual({});
    expect(p.marks).toEqual([]);
    expect(p.reassemble).toBe(false);
    expect(parseProfile('version: 1\nreassemble: true\n', 'p.yaml').reassemble).toBe(true);
  });

  it('reads marks: a full mask by default, a proxy optional', () => {
    const p = parseProfile(minimal('marks:\n  web: {value: 0x10}\n  l7.tls: {value: 0xce020000, mask: 0xffff0000, proxy: {address: "::1", port: 8443}}\n'), 'p.yaml');
    expect(p.marks).toEqual([
      { name: 'web', value: 0x10, mask: 0xffffffff, proxy: null },
      { name: 'l7.tls', value: 0xce020000, mask: 0xffff0000, proxy: { address: '::1', port: 8443 } },
    ]);
  });

  it('reads constants as text, from numbers, addresses and booleans', () => {
    const p = parseProfile(minimal('constants:\n  nodenic_ip: 192.0.2.10\n  snat_port_min: 40000\n  big: 0xffffffffffffffff\n  mac: 52:54:00:0a:87:02\n  flag: true\n'), 'p.yaml');
    expect(p.constants).toEqual([
      { name: 'nodenic_ip', value: '192.0.2.10' },
      { name: 'snat_port_min', value: '40000' },
      { name: 'big', value: '18446744073709551615' },
      { name: 'mac', value: '52:54:00:0a:87:02' },
      { name: 'flag', value: 'true' },
    ]);
  });

  // Every rejection names the file, the line and the YAML path of what is wrong.
  const cases: [string, string, RegExp][] = [
    ['a misspelt top-level key', minimal('timeout:\n  icmp: 3\n'), /^p\.yaml:2: timeout: unknown key; expected one of version, target/],
    ['a missing version', 'interfaces: {}\n', /^p\.yaml:1: \(top level\): version is missing/],
    ['another version', 'version: 2\n', /^p\.yaml:1: version: must be 1/],
    ['a misspelt interface key', minimal('interfaces:\n  ext_if:\n    freebsd: em0\n    gruop: true\n'), /^p\.yaml:5: interfaces\.ext_if\.gruop: unknown key/],
    ['a missing freebsd name', minimal('interfaces:\n  ext_if: {group: false}\n'), /^p\.yaml:3: interfaces\.ext_if: freebsd is missing/],
    ['a logical name pf cannot use', minimal('interfaces:\n  ext-if: {freebsd: em0}\n'), /^p\.yaml:3: interfaces\.ext-if: the logical interface name "ext-if" has characters outside .*\(a pf macro name/],
    ['a logical name that is a pf keyword', minimal('interfaces:\n  pass: {freebsd: em0}\n'), /interfaces\.pass: the logical interface name "pass" is a pf reserved word/],
    ['a logical name starting with a digit', minimal('interfaces:\n  0if: {freebsd: em0}\n'), /interfaces\.0if: the logical interface name "0if" has characters outside/],
    ['a FreeBSD name over 15 characters', minimal('interfaces:\n  a: {freebsd: abcdefghijklmnop0}\n'), /^p\.yaml:3: interfaces\.a\.freebsd: "abcdefghijklmnop0" is 17 characters, more than pf's 15/],
    ['a FreeBSD name with a space', minimal('interfaces:\n  a: {freebsd: "em 0"}\n'), /interfaces\.a\.freebsd: "em 0" has characters outside a letter then letters, digits, _ - \./],
    ['a FreeBSD name with pf syntax', minimal('interfaces:\n  a: {freebsd: "em0}"}\n'), /interfaces\.a\.freebsd: "em0}" has characters/],
    ['a FreeBSD name that is a pf word', minimal('interfaces:\n  a: {freebsd: any}\n'), /interfaces\.a\.freebsd: "any" is a pf reserved word/],
    ['a group name ending in a digit', minimal('interfaces:\n  a: {freebsd: tap0, group: true}\n'), /interfaces\.a\.freebsd: "tap0" ends in a digit/],
    ['a group flag that is not a boolean', minimal('interfaces:\n  a: {freebsd: tap, group: yes}\n'), /interfaces\.a\.group: must be true or false/],
    ['a negative ifindex', minimal('interfaces:\n  a: {freebsd: em0, ifindex: -1}\n'), /interfaces\.a\.ifindex: -1 is not a non-negative integer/],
    ['a fractional ifindex', minimal('interfaces:\n  a: {freebsd: em0, ifindex: 1.5}\n'), /interfaces\.a\.ifindex: 1\.5 is not a non-negative integer/],
    ['one FreeBSD interface twice', minimal('interfaces:\n  a: {freebsd: em0, ifindex: 2}\n  b: {freebsd: em0, ifindex: 3}\n'), /^p\.yaml:4: interfaces\.b\.freebsd: em0 is already interfaces\.a's: each logical interface is a different FreeBSD interface or group/],
    ['one ifindex twice', minimal('interfaces:\n  a: {freebsd: em0, ifindex: 2}\n  b: {freebsd: em1, ifindex: 2}\n'), /^p\.yaml:4: interfaces\.b\.ifindex: ifindex 2 is already interfaces\.a's/],
    ['a direction other than in/out', minimal('interfaces:\n  a: {freebsd: em0}\nprograms:\n  p:\n    object: o\n    attach: {interface: a, direction: both}\n'), /^p\.yaml:7: programs\.p\.attach\.direction: "both" is not in or out/],
    ['an undeclared interface', minimal('interfaces:\n  a: {freebsd: em0}\nprograms:\n  p: {object: o, attach: {interface: b, direction: in}}\n'), /programs\.p\.attach\.interface: "b" is not an interface of the profile \(a\)/],
    ['a missing attach', minimal('programs:\n  p: {object: o}\n'), /^p\.yaml:3: programs\.p: attach is missing/],
    ['an object with directories', minimal('interfaces:\n  a: {freebsd: em0}\nprograms:\n  p: {object: obj/o.o, attach: {interface: a, direction: in}}\n'), /programs\.p\.object: is an object file name or its stem/],
    ['a program name that is not a C name', minimal('programs:\n  "p-1": {object: o}\n'), /programs\.p-1: a program name is a C function name/],
    ['an unknown timeout', minimal('timeouts:\n  tcp_syn: 60\n'), /^p\.yaml:3: timeouts\.tcp_syn: unknown key; expected one of tcp_syn_sent/],
    ['a negative timeout', minimal('timeouts:\n  icmp: -30\n'), /^p\.yaml:3: timeouts\.icmp: -30 is not a non-negative integer/],
    ['a timeout as text', minimal('timeouts:\n  icmp: 30s\n'), /timeouts\.icmp: must be a non-negative integer/],
    ['an unknown limit', minimal('limits:\n  tables: 10\n'), /limits\.tables: unknown key/],
    ['a release as a number', minimal('target:\n  freebsd: 15.0\n'), /target\.freebsd: must be a string; write it in quotes/],
    ['an old release', minimal('target:\n  freebsd: "13.2"\n'), /target\.freebsd: FreeBSD 13\.2 is not supported/],
    ['a release outside supported', minimal('target:\n  freebsd: "15.0"\n  supported: ["14.3"]\n'), /target\.freebsd: 15\.0 is not in target\.supported/],
    ['a list where a mapping belongs', minimal('interfaces:\n  - em0\n'), /^p\.yaml:2: interfaces: must be a mapping/],
    ['a mapping where a value belongs', minimal('timeouts:\n  icmp: {a: 1}\n'), /timeouts\.icmp: must be a single value, not a mapping/],
    ['a key given twice', minimal('limits:\n  states: 1\n  states: 2\n'), /^p\.yaml:4: a key appears twice/],
    ['an alias', minimal('interfaces:\n  a: &x {freebsd: em0}\n  b: *x\n'), /interfaces\.b: aliases are not supported/],
    ['text that is not YAML', 'version: 1\n  x: [\n', /^p\.yaml:\d+: not YAML/],
    ['a constant without a value', minimal('constants:\n  x:\n'), /constants\.x: must be a number/],
    ['a mark name pf cannot use as a tag', minimal('marks:\n  "a b": {value: 1}\n'), /^p\.yaml:3: marks\.a b: the mark's name is its pf tag: has characters outside/],
    ['a mark wider than 32 bits', minimal('marks:\n  t: {value: 0x100000000}\n'), /marks\.t\.value: value is a 32-bit mark value/],
    ['a mark value outside its mask', minimal('marks:\n  t: {value: 0x1ff, mask: 0xff}\n'), /marks\.t\.value: 0x1ff has bits outside the mask 0xff/],
    ['a zero mask', minimal('marks:\n  t: {value: 0, mask: 0}\n'), /marks\.t\.mask: a mask of 0 matches every mark/],
    ['two marks one value could have', minimal('marks:\n  a: {value: 0x1200, mask: 0xff00}\n  b: {value: 0x34, mask: 0xff}\n'), /^p\.yaml:4: marks\.b: overlaps marks\.a/],
    ['a proxy that is not an address', minimal('marks:\n  t: {value: 1, proxy: {address: localhost, port: 80}}\n'), /marks\.t\.proxy\.address: "localhost" is not an IPv4 or IPv6 address/],
    ['a proxy port 0', minimal('marks:\n  t: {value: 1, proxy: {address: 127.0.0.1, port: 0}}\n'), /marks\.t\.proxy\.port: 0 is not a port/],
    ['a gateway that is not an address', minimal('interfaces:\n  a: {freebsd: em0, gateway: router}\n'), /interfaces\.a\.gateway: "router" is not an IPv4 or IPv6 address/],
    ['a gateway on a group', minimal('interfaces:\n  a: {freebsd: tap, group: true, gateway: 10.0.0.1}\n'), /interfaces\.a\.gateway: an interface group has no one gateway/],
    ['reassemble as a word', minimal('reassemble: yes\n'), /^p\.yaml:2: reassemble: must be true or false/],
    ['a proxy without a port', minimal('marks:\n  t: {value: 1, proxy: {address: 127.0.0.1}}\n'), /marks\.t\.proxy: port is missing/],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(problem(text)).toMatch(message);
    });
  }

  it('accepts the names FreeBSD and pf accept', () => {
    expect(problem(minimal('interfaces:\n  _x1: {freebsd: em0.100}\n  cube_dev: {freebsd: cube-dev}\n  g: {freebsd: tap_all, group: true}\n  f: {freebsd: abcdefghijklmn0}\n'))).toBe('ok');
  });
});
