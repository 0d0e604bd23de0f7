import { readFileSync } from 'node:fs';
import { fail } from '../errors.js';
import { freebsdInterfaceProblem, isCIdentifier, isRelease, macroNameProblem } from './names.js';
import { nameProblem } from '../ir/names.js';
import { parseAddress } from '../ir/cidr.js';
import { booleanValue, countValue, entries, fields, listValue, parseYaml, problem, scalarValue, stringValue, type At, type YamlSource } from './yaml-tree.js';
import {
  PROFILE_LIMITS,
  PROFILE_VERSION,
  SPEC_TIMEOUTS,
  type Profile,
  type ProfileConstant,
  type ProfileInterface,
  type ProfileLimits,
  type ProfileMark,
  type ProfileProgram,
  type ProfileTarget,
  type ProfileTimeouts,
} from './types.js';

/** The release written for when a profile does not say, and the ones it also loads on. */
export const DEFAULT_TARGET: ProfileTarget = { freebsd: '15.0', supported: ['14.3', '15.0'] };

/** Reads and validates a profile file; any problem is PROFILE_INVALID naming file, line and YAML path. */
export function loadProfile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail('IO', `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseProfile(text, path);
}

/** Validates profile text; `file` is used in messages and kept as the profile's `source`. */
export function parseProfile(text: string, file: string): Profile {
  const { src, root } = parseYaml(text, file);
  const lines: Record<string, number> = {};
  const top = fields(src, root, ['version', 'target', 'interfaces', 'programs', 'constants', 'timeouts', 'limits', 'marks', 'reassemble'], ['version']);
  for (const at of top.values()) lines[at.path] = at.line;
  const version = top.get('version')!;
  if (scalarValue(src, version) !== BigInt(PROFILE_VERSION)) problem(src, version, `must be ${PROFILE_VERSION} (the only profile version there is)`);
  const interfaces = readInterfaces(src, top.get('interfaces'), lines);
  return {
    version: PROFILE_VERSION,
    source: file,
    target: top.has('target') ? readTarget(src, top.get('target')!) : DEFAULT_TARGET,
    interfaces,
    programs: readPrograms(src, top.get('programs'), interfaces, lines),
    constants: readConstants(src, top.get('constants'), lines),
    timeouts: readCounts(src, top.get('timeouts'), SPEC_TIMEOUTS, lines) as ProfileTimeouts,
    limits: readCounts(src, top.get('limits'), PROFILE_LIMITS, lines) as ProfileLimits,
    marks: readMarks(src, top.get('marks'), lines),
    reassemble: top.has('reassemble') ? booleanValue(src, top.get('reassemble')!) : false,
    assumptions: [],
    lines,
  };
}

function readTarget(src: YamlSource, at: At): ProfileTarget {
  const f = fields(src, at, ['freebsd', 'supported'], ['freebsd']);
  const release = (a: At): string => {
    const s = stringValue(src, a);
    if (!isRelease(s)) problem(src, a, `"${s}" is not a FreeBSD release such as "15.0" or "14.3"`);
    if (Number(s.split('.')[0]) < 14) problem(src, a, `FreeBSD ${s} is not supported; bpf2pf writes for 14.x and 15.0`);
    return s;
  };
  const freebsdAt = f.get('freebsd')!;
  const freebsd = release(freebsdAt);
  const supported = f.has('supported') ? listValue(src, f.get('supported')!).map(release) : [freebsd];
  if (!supported.includes(freebsd)) problem(src, freebsdAt, `${freebsd} is not in target.supported (${supported.join(', ')})`);
  return { freebsd, supported };
}

function readInterfaces(src: YamlSource, at: At | undefined, lines: Record<string, number>): ProfileInterface[] {
  if (!at) return [];
  const out: ProfileInterface[] = [];
  const byIfindex = new Map<number, string>();
  // Two logical interfaces are two Linux interfaces: one FreeBSD name for both would make
  // a redirect to one and a rule on the other the same thing, without a word.
  const byFreebsd = new Map<string, string>();
  for (const e of entries(src, at)) {
    const nameProblem = macroNameProblem(e.key);
    if (nameProblem) problem(src, e.at, `the logical interface name ${nameProblem}`);
    lines[e.at.path] = e.at.line;
    const f = fields(src, e.at, ['freebsd', 'group', 'ifindex', 'gateway'], ['freebsd']);
    const group = f.has('group') ? booleanValue(src, f.get('group')!) : false;
    const freebsdAt = f.get('freebsd')!;
    const freebsd = stringValue(src, freebsdAt);
    const ifProblem = freebsdInterfaceProblem(freebsd, group);
    if (ifProblem) problem(src, freebsdAt, ifProblem);
    const sameName = byFreebsd.get(freebsd);
    if (sameName !== undefined) problem(src, freebsdAt, `${freebsd} is already interfaces.${sameName}'s: each logical interface is a different FreeBSD interface or group`);
    byFreebsd.set(freebsd, e.key);
    const ifindexAt = f.get('ifindex');
    const ifindex = ifindexAt && scalarValue(src, ifindexAt) !== null ? countValue(src, ifindexAt) : null;
    if (ifindex !== null) {
      const other = byIfindex.get(ifindex);
      if (other !== undefined) problem(src, ifindexAt!, `ifindex ${ifindex} is already interfaces.${other}'s`);
      byIfindex.set(ifindex, e.key);
    }
    const gatewayAt = f.get('gateway');
    const gateway = gatewayAt ? stringValue(src, gatewayAt) : undefined;
    if (gatewayAt && gateway !== undefined && parseAddress(gateway) === null) problem(src, gatewayAt, `"${gateway}" is not an IPv4 or IPv6 address`);
    if (gatewayAt && group) problem(src, gatewayAt, 'an interface group has no one gateway; give it on the interfaces packets leave by');
    out.push({ name: e.key, freebsd, group, ifindex, ...(gateway !== undefined ? { gateway } : {}) });
  }
  return out;
}

function readPrograms(src: YamlSource, at: At | undefined, interfaces: readonly ProfileInterface[], lines: Record<string, number>): ProfileProgram[] {
  if (!at) return [];
  const out: ProfileProgram[] = [];
  for (const e of entries(src, at)) {
    if (!isCIdentifier(e.key)) problem(src, e.at, 'a program name is a C function name');
    lines[e.at.path] = e.at.line;
    const f = fields(src, e.at, ['object', 'section', 'attach'], ['object', 'attach']);
    for (const sub of f.values()) lines[sub.path] = sub.line;
    const objectAt = f.get('object')!;
    const object = stringValue(src, objectAt);
    if (object === '' || /[/\\]/.test(object)) problem(src, objectAt, 'is an object file name or its stem (mvmtap for mvmtap.bpfel.o), without directories');
    const sectionAt = f.get('section');
    const section = sectionAt ? stringValue(src, sectionAt) : null;
    if (section === '') problem(src, sectionAt!, 'must not be empty');
    const attachAt = f.get('attach')!;
    const a = fields(src, attachAt, ['interface', 'direction'], ['interface', 'direction']);
    const ifAt = a.get('interface')!;
    const iface = stringValue(src, ifAt);
    if (!interfaces.some((i) => i.name === iface)) {
      problem(src, ifAt, `"${iface}" is not an interface of the profile (${interfaces.map((i) => i.name).join(', ') || 'it declares none'})`);
    }
    const dirAt = a.get('direction')!;
    const direction = stringValue(src, dirAt);
    if (direction !== 'in' && direction !== 'out') problem(src, dirAt, `"${direction}" is not in or out`);
    out.push({ name: e.key, object, section, attach: { interface: iface, direction } });
  }
  return out;
}

function readConstants(src: YamlSource, at: At | undefined, lines: Record<string, number>): ProfileConstant[] {
  if (!at) return [];
  return entries(src, at).map((e) => {
    if (!isCIdentifier(e.key)) problem(src, e.at, 'a constant is named by its C global name');
    lines[e.at.path] = e.at.line;
    const v = scalarValue(src, e.at);
    if (typeof v === 'bigint') return { name: e.key, value: v.toString() };
    if (typeof v === 'boolean') return { name: e.key, value: String(v) };
    if (typeof v === 'string' && v !== '') return { name: e.key, value: v };
    return problem(src, e.at, 'must be a number, an IPv4 address, a MAC address or true/false');
  });
}

function readCounts(src: YamlSource, at: At | undefined, allowed: readonly string[], lines: Record<string, number>): Record<string, number> {
  if (!at) return {};
  const out: Record<string, number> = {};
  for (const [key, valueAt] of fields(src, at, allowed)) {
    lines[valueAt.path] = valueAt.line;
    out[key] = countValue(src, valueAt);
  }
  return out;
}

function readMarks(src: YamlSource, at: At | undefined, lines: Record<string, number>): ProfileMark[] {
  if (!at) return [];
  const out: ProfileMark[] = [];
  const u32 = (a: At, what: string): number => {
    const n = countValue(src, a);
    if (n > 0xffffffff) problem(src, a, `${what} is a 32-bit mark value (at most 0xffffffff)`);
    return n;
  };
  for (const e of entries(src, at)) {
    const tagProblem = nameProblem('tag', e.key);
    if (tagProblem) problem(src, e.at, `the mark's name is its pf tag: ${tagProblem}`);
    lines[e.at.path] = e.at.line;
    const f = fields(src, e.at, ['value', 'mask', 'proxy'], ['value']);
    const value = u32(f.get('value')!, 'value');
    const maskAt = f.get('mask');
    const mask = maskAt ? u32(maskAt, 'mask') : 0xffffffff;
    if (mask === 0) problem(src, maskAt!, 'a mask of 0 matches every mark; give the bits the value is in');
    if ((value & ~mask) >>> 0 !== 0) problem(src, f.get('value')!, `0x${value.toString(16)} has bits outside the mask 0x${mask.toString(16)}`);
    const other = out.find((m) => ((m.value ^ value) & m.mask & mask) >>> 0 === 0);
    if (other) problem(src, e.at, `overlaps marks.${other.name}: a mark value would have two tags`);
    const proxyAt = f.get('proxy');
    let proxy: ProfileMark['proxy'] = null;
    if (proxyAt) {
      const p = fields(src, proxyAt, ['address', 'port'], ['address', 'port']);
      const addressAt = p.get('address')!;
      const address = stringValue(src, addressAt);
      if (!parseAddress(address)) problem(src, addressAt, `"${address}" is not an IPv4 or IPv6 address`);
      const portAt = p.get('port')!;
      const port = countValue(src, portAt);
      if (port < 1 || port > 65535) problem(src, portAt, `${port} is not a port (1..65535)`);
      proxy = { address, port };
    }
    out.push({ name: e.key, value, mask, proxy });
  }
  return out;
}
