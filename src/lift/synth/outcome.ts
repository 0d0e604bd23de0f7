import { uintOf } from '../../bytes.js';
import type { IrAddress, IrRoute, IrTranslation } from '../../ir/types.js';
import type { Profile } from '../../profile/types.js';
import type { Sym } from '../sym.js';
import type { ByteSource, PathView } from '../view/path-view.js';
import { describeSource, setName, type MapRole } from './roles.js';
import { markMeaning } from './marks.js';
import { parseAddress } from '../../ir/cidr.js';

/** What a path does with the packet, in pf's terms. */
export interface Outcome {
  readonly action: 'pass' | 'block';
  readonly translations: readonly IrTranslation[];
  readonly route: IrRoute | undefined;
  readonly tag: string | undefined;
  readonly keepState: boolean;
  /** Why the rule cannot do what the path did: the rule is closed (block) instead. */
  readonly problems: readonly string[];
  /** Where the rule is exact but pf does it differently: the rule is approximate. */
  readonly approximations: readonly string[];
  /** Per-instance values the rule uses, by the family value's field name. */
  readonly familyValues: readonly { readonly field: string; readonly offset: number; readonly size: number }[];
  /** Pool sets (array maps of addresses) the rule translates to. */
  readonly pools: readonly { readonly map: string; readonly offset: number; readonly member: string }[];
  readonly note: string;
}

const TC = { OK: 0n, SHOT: 2n, PIPE: 3n, REDIRECT: 7n } as const;
const XDP = { ABORTED: 0n, DROP: 1n, PASS: 2n, TX: 3n, REDIRECT: 4n } as const;
const BPF_F_INGRESS = 1n;

export interface OutcomeEnv {
  readonly profile: Profile;
  readonly rolesOf: (view: PathView) => ReadonlyMap<number, MapRole>;
  readonly isXdp: boolean;
  /** The object's byte order: a register stored into the packet holds the wire bytes in it. */
  readonly littleEndian: boolean;
  /** Name of a value member of a lookup's map at an offset (BTF), for family values. */
  /** Numbers at `offset` of every snapshot entry of an array map (object byte order). */
  readonly poolValues: (map: string, offset: number, size: number) => number[];
  readonly memberOf: (view: PathView, lookup: number, offset: number, size: number) => string;
}


/**
 * The snapshot entry a per-entry rule is written for: values the path read from it
 * (the ifindex to deliver to, the port to rewrite to) are known for this rule.
 */
export interface EntryValue {
  readonly map: string;
  /** The entry's value bytes, in the object's byte order. */
  readonly value: Uint8Array;
}

/** Bytes of the rule's entry a path read through `lookup`, when the lookup is of that entry's map. */
function entryBytes(view: PathView, env: OutcomeEnv, entry: EntryValue | undefined, lookup: number, offset: number, size: number): Uint8Array | undefined {
  const role = env.rolesOf(view).get(lookup);
  if (!entry || role?.kind !== 'perEntry' || role.map !== entry.map || entry.value.length < offset + size) return undefined;
  return entry.value.subarray(offset, offset + size);
}

function interfaceByIfindex(env: OutcomeEnv, ifindex: number): string | undefined {
  return env.profile.interfaces.find((i) => i.ifindex === ifindex)?.name;
}

/** The verdict, rewrites and destination of one path. */
export function outcomeOf(view: PathView, env: OutcomeEnv, entry?: EntryValue): Outcome {
  const problems: string[] = [];
  const approximations: string[] = [];
  const translations: IrTranslation[] = [];
  const familyValues: { field: string; offset: number; size: number }[] = [];
  const pools: { map: string; offset: number; member: string }[] = [];
  let route: IrRoute | undefined;
  let tag: string | undefined;
  const a = view.action;
  const base = { translations, route: undefined, tag: undefined, keepState: false, familyValues, pools };
  if (a.end.kind === 'abandoned') return { ...base, action: 'block', problems: [`the lifter stopped following this path: ${a.end.reason}`], approximations, note: 'path not followed to its end' };
  const code = a.end.code;
  if (code === undefined) return { ...base, action: 'block', problems: ['the verdict is computed at run time'], approximations, note: 'run-time verdict' };
  for (const t of a.tailCalls) {
    if (t.notFollowed) approximations.push(`the tail call into ${t.target ?? t.map} is not translated (${t.notFollowed}); the rule is what the program does when it falls through`);
  }
  const drop = env.isXdp ? code === XDP.DROP || code === XDP.ABORTED : code === TC.SHOT;
  if (drop) return { ...base, action: 'block', problems, approximations, note: 'dropped' };
  const redirect = env.isXdp ? code === XDP.REDIRECT || code === XDP.TX : code === TC.REDIRECT;
  const passes = env.isXdp ? code === XDP.PASS : code === TC.OK || code === TC.PIPE;
  if (!redirect && !passes) return { ...base, action: 'block', problems: [`returns ${code}, a verdict the translator does not know`], approximations, note: `verdict ${code}` };

  let note = 'passed to the host stack';
  /** Into an interface's ingress: the host receives it (where a Linux transparent proxy picks marked packets up). */
  let deliveredTo: string | undefined;
  const INGRESS_APPROXIMATION = 'a redirect into an interface\'s ingress becomes local delivery by the FreeBSD stack';
  if (redirect) {
    const r = a.redirect;
    if (!r) problems.push('redirects without saying where');
    else {
      const target = resolveIfindex(view, env, r.ifindex, entry);
      const ingress = r.flags.kind === 'const' ? (r.flags.value & BPF_F_INGRESS) !== 0n : undefined;
      if (target.kind === 'problem') problems.push(target.why);
      else if (target.kind === 'same') problems.push('sends the packet back out of the interface it came in on (a reply made in the program)');
      else if (ingress === undefined) problems.push('redirect flags computed at run time');
      else if (ingress) {
        deliveredTo = targetText(target);
        note = `delivered to the host as if received on ${deliveredTo}`;
        approximations.push(INGRESS_APPROXIMATION);
      } else {
        const gateway = target.kind === 'interface' ? env.profile.interfaces.find((i) => i.name === target.name)?.gateway : undefined;
        route = target.kind === 'interface'
          ? { interface: { kind: 'interface', name: target.name }, ...(gateway !== undefined ? { nexthop: gateway } : {}) }
          : target.kind === 'instance'
            ? { interface: { kind: 'instance', ifindex: target.ifindex } }
            : { interface: { kind: 'familyInterface' } };
        note = `routed out of ${targetText(target)}`;
      }
    }
  }
  for (const w of a.writes) {
    switch (w.field) {
      case 'ip4.src':
      case 'ip4.dst': {
        const to = addressOf(view, env, w.source, familyValues, pools, problems, entry);
        if (!to) break;
        if (w.field === 'ip4.src') {
          const port = a.writes.find((x) => x.field === 'l4.sport');
          // No port written: the program keeps it (and the ICMP echo id, unless it writes that).
          const keepsPort = !port && !a.writes.some((x) => x.field === 'icmp.id');
          translations.push(port ? { kind: 'nat', to, ports: { from: 1024, to: 65535 } } : keepsPort ? { kind: 'nat', to, staticPort: true } : { kind: 'nat', to });
          if (port) approximations.push('the source port comes from a run-time allocator; pf picks from 1024:65535');
        } else {
          const port = a.writes.find((x) => x.field === 'l4.dport');
          // A register stored into the packet: its value as the wire then holds it. Bytes
          // copied from the entry's value: already in wire order.
          const fromEntry = port?.source.kind === 'value' ? entryBytes(view, env, entry, port.source.lookup, port.source.offset, port.source.size) : undefined;
          const p = port?.source.kind === 'const' ? wire16(Number(port.source.value), env.littleEndian) : fromEntry?.length === 2 ? uintOf(fromEntry, false) : undefined;
          if (port && p === undefined) problems.push(`the destination port is rewritten to ${describeSource(port.source)}`);
          translations.push(p !== undefined ? { kind: 'rdr', to, port: p } : { kind: 'rdr', to });
        }
        break;
      }
      case 'icmp.id':
        // pf's nat rewrites the echo identifier itself, as the program does for its NAT.
        if (!a.writes.some((x) => x.field === 'ip4.src')) problems.push('rewrites icmp.id alone');
        break;
      case 'l4.sport':
      case 'l4.dport':
        if (!a.writes.some((x) => x.field === (w.field === 'l4.sport' ? 'ip4.src' : 'ip4.dst'))) problems.push(`rewrites ${w.field} alone`);
        break;
      case 'eth.src':
      case 'eth.dst':
      case 'ip4.csum':
      case 'l4.csum':
        // MACs are the stack's on FreeBSD; checksums are bookkeeping pf does itself.
        break;
      default:
        problems.push(`rewrites ${w.field}`);
    }
  }
  for (const f of a.touched) if (f !== 'eth.src' && f !== 'eth.dst' && f !== 'ip4.csum' && f !== 'l4.csum' && f !== 'icmp.id' && !a.writes.some((w) => w.field === f)) problems.push(`rewrites part of ${f}`);
  if (a.unplacedWrites.length > 0) problems.push('writes packet bytes at a place the translator cannot name');
  for (const [field, w] of a.ctxWrites) {
    if (field === 'mark') {
      const m = markMeaning(w.value, env.profile.marks);
      if (m.kind === 'unnamed') {
        problems.push(m.why);
        continue;
      }
      tag = m.tag;
      if (m.keepsOtherBits) approximations.push(`the mark's other bits, which the program keeps, have no pf form (one tag per packet): tag ${m.tag} stands for the bits the profile names`);
      if (m.proxy && deliveredTo !== undefined) {
        // Linux: the mark routes the packet to a transparent proxy behind the interface. pf: rdr-to the proxy.
        const proxy = parseAddress(m.proxy.address);
        if (proxy?.family !== 'ipv4') problems.push(`the proxy of mark ${m.tag} (${m.proxy.address}) is not an IPv4 address; the packets are IPv4`);
        else {
          translations.unshift({ kind: 'rdr', to: { kind: 'cidr', cidr: `${m.proxy.address}/32` }, port: m.proxy.port });
          approximations.splice(approximations.indexOf(INGRESS_APPROXIMATION), 1, `steering by mark into ${deliveredTo}, where a transparent proxy listens, becomes rdr-to the proxy the profile names; the proxy finds the original destination in pf's state`);
          note = `steered to the local proxy at ${m.proxy.address} port ${m.proxy.port}`;
        }
      }
    } else if (field === 'tstamp') approximations.push('departure-time pacing (skb->tstamp) is not translated here: see the dummynet output');
    else problems.push(`writes ctx.${field} with ${w.value.kind === 'const' ? 'a constant pf has no tag for' : 'a computed value'}`);
  }
  const keepState = translations.length > 0 || route !== undefined;
  return { action: 'pass', translations, route, tag, keepState, problems, approximations, familyValues, pools, note };
}

/** A 16-bit register value stored into the packet, as the number the wire then holds. */
function wire16(v: number, le: boolean): number {
  const x = v & 0xffff;
  return le ? ((x & 0xff) << 8) | (x >> 8) : x;
}

type Target = { kind: 'interface'; name: string } | { kind: 'family' } | { kind: 'instance'; ifindex: number } | { kind: 'same' } | { kind: 'problem'; why: string };

function targetText(t: Extract<Target, { kind: 'interface' | 'family' | 'instance' }>): string {
  return t.kind === 'interface' ? t.name : t.kind === 'instance' ? `the instance with ifindex ${t.ifindex}` : 'the instance interface';
}

function resolveIfindex(view: PathView, env: OutcomeEnv, s: Sym, entry: EntryValue | undefined): Target {
  const core = s.kind === 'un' && s.op === 'zext32' ? s.a : s;
  if (core.kind === 'const') {
    const name = interfaceByIfindex(env, Number(core.value));
    return name ? { kind: 'interface', name } : { kind: 'problem', why: `redirects to ifindex ${core.value}, which no profile interface has` };
  }
  if (core.kind === 'scalar' && core.source.kind === 'ctx' && (core.source.field === 'ifindex' || core.source.field === 'ingress_ifindex')) return { kind: 'same' };
  if (core.kind === 'scalar' && core.source.kind === 'mapValue') {
    const role = env.rolesOf(view).get(core.source.lookup);
    if (role?.kind === 'family') return { kind: 'family' };
    const own = entryBytes(view, env, entry, core.source.lookup, core.source.offset, core.source.size);
    if (own) {
      const ifindex = uintOf(own, env.littleEndian);
      const name = interfaceByIfindex(env, ifindex);
      // Not a profile interface: a family member (a sandbox TAP); build-ir checks it is one.
      if (ifindex === 0) return { kind: 'problem', why: `the ${entry!.map} entry redirects to ifindex 0` };
      return name ? { kind: 'interface', name } : { kind: 'instance', ifindex };
    }
    if (role?.kind === 'pool') {
      const found = [...new Set(env.poolValues(role.map, core.source.offset, core.source.size))];
      const names = [...new Set(found.map((i) => interfaceByIfindex(env, i)))];
      if (found.length > 0 && names.length === 1 && names[0] !== undefined) return { kind: 'interface', name: names[0] };
      return { kind: 'problem', why: `redirects to the ifindex of a ${role.map} entry: ${found.length === 0 ? 'no snapshot entry says which' : `entries name ${found.join(', ')}`}` };
    }
    return { kind: 'problem', why: `redirects to an ifindex found in ${role?.map ?? 'a map'}${role?.kind === 'perEntry' ? ' (one rule per entry: not written yet)' : ''}` };
  }
  return { kind: 'problem', why: 'redirects to an ifindex computed at run time' };
}

function addressOf(
  view: PathView,
  env: OutcomeEnv,
  src: ByteSource,
  familyValues: { field: string; offset: number; size: number }[],
  pools: { map: string; offset: number; member: string }[],
  problems: string[],
  entry: EntryValue | undefined,
): IrAddress | undefined {
  switch (src.kind) {
    case 'const': {
      const n = Number(src.value & 0xffffffffn);
      // The register holds the address as the packet does: bytes in memory order.
      const bytes = env.littleEndian ? [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24] : [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
      return { kind: 'cidr', cidr: `${bytes.join('.')}/32` };
    }
    case 'value': {
      const role = env.rolesOf(view).get(src.lookup);
      if (role?.kind === 'family') {
        const field = env.memberOf(view, src.lookup, src.offset, src.size);
        if (!familyValues.some((f) => f.field === field)) familyValues.push({ field, offset: src.offset, size: src.size });
        return { kind: 'familyValue', field };
      }
      if (role?.kind === 'pool') {
        const member = env.memberOf(view, src.lookup, src.offset, src.size);
        if (!pools.some((p) => p.map === role.map)) pools.push({ map: role.map, offset: src.offset, member });
        return { kind: 'set', set: setName(role.map) };
      }
      const own = entryBytes(view, env, entry, src.lookup, src.offset, src.size);
      if (own?.length === 4) return { kind: 'cidr', cidr: `${[...own].join('.')}/32` };
      problems.push(`rewrites an address to a value found in ${role?.map ?? 'a map'}`);
      return undefined;
    }
    default:
      problems.push(`rewrites an address to ${describeSource(src)}`);
      return undefined;
  }
}


