import type { Fidelity, Finding, IrClassifier, Provenance } from '../../ir/types.js';
import { fitName } from '../../ir/names.js';
import { bin, konst, type Sym } from '../sym.js';
import type { SlotRef } from '../types.js';
import { complement, contains, fromValues, isEmpty, size, union, type ValueSet } from '../value-set.js';
import type { Atom } from '../view/atoms.js';
import { classifyOffset } from '../view/locate.js';
import { ETHERTYPE } from '../view/packet-layout.js';
import type { PathView } from '../view/path-view.js';
import { conjKey, disjunctionText, isVoid, loadableField, mergeConjs, normalLength, rereadFieldTest, restrict, type FrameConj } from './l2-predicate.js';

/**
 * recognise-l2-classifier: the paths of frames pf never sees (ARP, IPv6 and other
 * EtherTypes, as src/lift/synth/steps.ts sorts them) become one ng_bpf classifier on the
 * ng_ether hook the program's frames arrive on. The predicate is built from the paths'
 * guards: the frames it matches are IPv4 (pf's, through the `ip` term) and the frames of
 * the paths that pass, minus everything a path that does not pass could take (fail
 * closed: a frame the program may drop never matches; a frame it passes on a path the
 * predicate cannot state is dropped and reported). A program that passes every such frame
 * needs no classifier: FreeBSD hands them to the stack just as it does.
 *
 * A path that answers an ARP request itself (proxy ARP: the request sent back out of the
 * interface it came in on, made a reply) counts as passing: FreeBSD's own ARP code answers
 * from published entries (`arp -s ... pub`), which the control plane writes.
 */
export interface L2Env {
  readonly program: string;
  readonly isXdp: boolean;
  readonly littleEndian: boolean;
  /** The program's logical interface and direction (profile). */
  readonly interface: string;
  readonly direction: 'in' | 'out';
  readonly provenance: (views: readonly PathView[]) => Provenance[];
  readonly finding: (code: string, severity: Finding['severity'], message: string, slot: SlotRef | null, construct: string, suggestion: string) => Finding;
}

/** An L2 path as steps.ts sorted it, with its reason ("an ARP frame", ...). */
export interface L2Path {
  readonly view: PathView;
  readonly why: string;
}

/** What the program's published ARP answers are: for build-ir's control plane. */
export interface ProxyArp {
  /** The hardware address the program answers with, when the path writes a constant. */
  readonly mac: string | undefined;
  /** Target addresses the program never answers for (dotted quads). */
  readonly except: readonly string[];
}

export interface L2Result {
  /** Without its scope: build-ir knows whether the program's family exists. */
  readonly classifier: Omit<IrClassifier, 'scope'> | undefined;
  readonly proxyArp: ProxyArp | undefined;
  readonly findings: readonly Finding[];
  readonly count: { readonly exact: number; readonly approximate: number; readonly untranslated: number };
}

type Verdict = { readonly kind: 'pass' } | { readonly kind: 'drop' } | { readonly kind: 'reply' } | { readonly kind: 'other'; readonly what: string };

const TC_OK = 0n;
const TC_PIPE = 3n;
const TC_SHOT = 2n;
const TC_REDIRECT = 7n;
const TC_UNSPEC = [0xffffffffn, 0xffffffffffffffffn];
const XDP_ABORTED = 0n;
const XDP_DROP = 1n;
const XDP_PASS = 2n;
const XDP_TX = 3n;
const ARPOP_REPLY = 2;

/** Where this path's frame goes: passed on, dropped, answered in place, or elsewhere. */
function verdictOf(v: PathView, env: L2Env): Verdict {
  const a = v.action;
  if (a.end.kind === 'abandoned') return { kind: 'other', what: `not followed to its end (${a.end.reason})` };
  const code = a.end.code;
  if (code === undefined) return { kind: 'other', what: 'a verdict computed at run time' };
  const rewrites = a.writes.length > 0 || a.touched.length > 0 || a.unplacedWrites.length > 0;
  const drop = env.isXdp ? code === XDP_DROP || code === XDP_ABORTED : code === TC_SHOT;
  if (drop) return { kind: 'drop' };
  const pass = env.isXdp ? code === XDP_PASS : code === TC_OK || code === TC_PIPE || TC_UNSPEC.includes(code);
  if (pass) {
    if (rewrites) return { kind: 'other', what: 'passed on rewritten' };
    // cb[] is scratch between tc programs and tstamp only paces: neither changes the frame's fate.
    const meaningful = [...a.ctxWrites.keys()].filter((k) => !/^cb[0-4]$/.test(k) && k !== 'tstamp');
    if (meaningful.length > 0) return { kind: 'other', what: `passed on with ${meaningful.map((k) => `ctx.${k}`).join(', ')} set` };
    return { kind: 'pass' };
  }
  const back = env.isXdp ? code === XDP_TX : code === TC_REDIRECT && sentBackOut(v) && env.direction === 'in';
  if (back && v.shape.l3 === 'arp' && writtenArpOp(v, env.littleEndian) === ARPOP_REPLY) return { kind: 'reply' };
  if (back) return { kind: 'other', what: 'sent back out of the interface it came in on' };
  return { kind: 'other', what: code === TC_REDIRECT && !env.isXdp ? 'redirected' : `verdict ${code}` };
}

/** bpf_redirect(skb->ifindex, 0): out of the interface the frame came in on. */
function sentBackOut(v: PathView): boolean {
  const r = v.action.redirect;
  if (!r || r.flags.kind !== 'const' || (r.flags.value & 1n) !== 0n) return false;
  const core = r.ifindex.kind === 'un' && r.ifindex.op === 'zext32' ? r.ifindex.a : r.ifindex;
  return core.kind === 'scalar' && core.source.kind === 'ctx' && (core.source.field === 'ifindex' || core.source.field === 'ingress_ifindex');
}

/** The frame as the path leaves it, byte by byte where constants were written (undefined: unknown). */
function writtenBytes(v: PathView, le: boolean): Map<number, number | undefined> {
  const out = new Map<number, number | undefined>();
  for (const e of v.path.effects) {
    if (e.kind !== 'packetWrite') continue;
    for (const p of e.pieces) {
      const at = classifyOffset(bin('add', e.offset, konst(BigInt(p.offset))), v.shape);
      if (!at || at.base !== 'frame') continue;
      for (let j = 0; j < p.size; j++) {
        const byte = constByte(p.value, p.size, j, le);
        out.set(at.delta + j, byte);
      }
    }
  }
  return out;
}

function constByte(value: Sym, size: number, j: number, le: boolean): number | undefined {
  if (value.kind !== 'const') return undefined;
  const shift = BigInt(8 * (le ? j : size - 1 - j));
  return Number((value.value >> shift) & 0xffn);
}

function writtenArpOp(v: PathView, le: boolean): number | undefined {
  const bytes = writtenBytes(v, le);
  const hi = bytes.get(v.shape.l3Base + 6);
  const lo = bytes.get(v.shape.l3Base + 7);
  return hi === undefined || lo === undefined ? undefined : hi * 256 + lo;
}

/** The sender hardware address a proxy-ARP reply carries, when it is a constant. */
function replyMac(v: PathView, le: boolean): string | undefined {
  const bytes = writtenBytes(v, le);
  const mac: number[] = [];
  for (let i = 0; i < 6; i++) {
    const b = bytes.get(v.shape.l3Base + 8 + i);
    if (b === undefined) return undefined;
    mac.push(b);
  }
  return mac.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

interface PathConj {
  readonly conj: FrameConj;
  /** Conditions on run-time state (left out: the predicate holds for every outcome). */
  readonly runtime: readonly string[];
  /** Conditions on the frame the predicate cannot state. */
  readonly unstated: readonly string[];
}

const IFINDEX_CTX = new Set(['ifindex', 'ingress_ifindex']);

/** The path's conditions as a conjunction over frame bytes, and what it leaves out. */
function conjOf(v: PathView, le: boolean): PathConj {
  let conj: FrameConj = { fields: new Map(), minLen: 0, maxLenExcl: Infinity };
  const runtime: string[] = [];
  const unstated: string[] = [];
  const field = (a: { field: Extract<Atom, { kind: 'field' }>['field']; set: ValueSet }): void => {
    if (loadableField(a.field)) conj = restrict(conj, a.field, a.set);
    else unstated.push(`a test of ${a.field}`);
  };
  for (const a of v.atoms) {
    switch (a.kind) {
      case 'field':
        field(a);
        break;
      case 'length':
        if (a.need.base !== 'frame') unstated.push('a length past the IPv4 header');
        else if (a.holds) conj = { ...conj, minLen: Math.max(conj.minLen, a.need.delta) };
        else conj = { ...conj, maxLenExcl: Math.min(conj.maxLenExcl, a.need.delta) };
        break;
      case 'opaque': {
        const reread = rereadFieldTest(a, v.shape, le);
        if (reread) field(reread);
        else if (a.runtime) runtime.push(a.why);
        else unstated.push(a.why);
        break;
      }
      case 'ctx':
        unstated.push(`a test of ctx.${a.field}`);
        break;
      case 'lookup': {
        const l = v.lookups.get(a.lookup);
        const perInterface = l?.key.every((p) => p.source.kind === 'const' || (p.source.kind === 'ctx' && IFINDEX_CTX.has(p.source.field)));
        if (perInterface) runtime.push(`a lookup in ${l!.mapName}`);
        else unstated.push(`a lookup in ${l?.mapName ?? 'a map'} keyed by the frame`);
        break;
      }
      case 'helper':
        runtime.push(`${a.helper} ${a.ok ? 'succeeding' : 'failing'}`);
        break;
      case 'value':
        runtime.push('a condition on a value found in a map');
        break;
      default: {
        const never: never = a;
        return never;
      }
    }
  }
  // A length test its own loads already make says nothing (frames under 14 bytes never reach ng_ether).
  return { conj: normalLength(conj), runtime, unstated };
}

/** `a` without any frame `b` could be, as disjoint conjunctions. */
function subtract(a: FrameConj, b: FrameConj): FrameConj[] {
  return subtractRaw(a, b).map(normalLength);
}

function subtractRaw(a: FrameConj, b: FrameConj): FrameConj[] {
  let meet = a;
  for (const [f, s] of b.fields) meet = restrict(meet, f, s);
  meet = { ...meet, minLen: Math.max(meet.minLen, b.minLen), maxLenExcl: Math.min(meet.maxLenExcl, b.maxLenExcl) };
  if (isVoid(meet)) return [a];
  const out: FrameConj[] = [];
  let cur = a;
  for (const [f, s] of b.fields) {
    const piece = restrict(cur, f, complement(s));
    if (!isVoid(piece)) out.push(piece);
    cur = restrict(cur, f, s);
  }
  if (b.minLen > 0) {
    const piece = { ...cur, maxLenExcl: Math.min(cur.maxLenExcl, b.minLen) };
    if (!isVoid(piece)) out.push(piece);
    cur = { ...cur, minLen: Math.max(cur.minLen, b.minLen) };
  }
  if (b.maxLenExcl !== Infinity) {
    const piece = { ...cur, minLen: Math.max(cur.minLen, b.maxLenExcl) };
    if (!isVoid(piece)) out.push(piece);
  }
  return out;
}

function sameConj(a: readonly FrameConj[], b: FrameConj): boolean {
  return a.length === 1 && conjKey(a[0]) === conjKey(b);
}

function dotted(v: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** VIDs (12 bits) of the 802.1Q TCI values a set holds. */
function vids(tci: ValueSet | undefined): number[] {
  const out = new Set<number>();
  for (const [lo, hi] of (tci ?? { bits: 16, ranges: [[0, 0xffff]] as const }).ranges) {
    if (hi - lo >= 0xfff) return Array.from({ length: 4096 }, (_, i) => i);
    for (let x = lo; x <= hi; x++) out.add(x & 0xfff);
  }
  return [...out].sort((a, b) => a - b);
}

const IPV4_FRAMES: FrameConj = { fields: new Map([['eth.type', fromValues(16, [ETHERTYPE.ip4])]]), minLen: 0, maxLenExcl: Infinity };

/** Runs the recogniser over one program's L2 paths; `ip4` are its IPv4 paths (pf's). */
export function recogniseL2Classifier(paths: readonly L2Path[], ip4: readonly PathView[], env: L2Env): L2Result {
  const findings: Finding[] = [];
  const count = { exact: 0, approximate: 0, untranslated: 0 };
  if (paths.length === 0) return { classifier: undefined, proxyArp: undefined, findings, count };
  const tagged = paths.filter((p) => p.view.shape.l3Base !== 14);
  const untagged = paths.filter((p) => p.view.shape.l3Base === 14);
  const infos = untagged.map((p) => ({ ...p, verdict: verdictOf(p.view, env), ...conjOf(p.view, env.littleEndian) }));
  const hook: IrClassifier['hook'] = env.isXdp || env.direction === 'in' ? 'lower' : 'upper';
  const name = fitName('table', `${env.program}_l2`);
  const where = `ng_bpf classifier ${name} on ${env.interface}:${hook}`;

  if (tagged.length > 0) {
    const passing = tagged.filter((p) => verdictOf(p.view, env).kind === 'pass');
    const ids = [...new Set(passing.flatMap((p) => vids(p.view.fields.get('vlan.tci'))))].sort((a, b) => a - b);
    const inner = passing.reduce<ValueSet>((acc, p) => union(acc, p.view.fields.get('vlan.type') ?? fromValues(16, [])), fromValues(16, []));
    const vidText = ids.length === 0 ? 'none' : ids.length > 16 ? `${ids.length} VIDs` : ids.join(', ');
    findings.push(
      env.finding(
        'B2P-L2-VLAN',
        passing.length > 0 ? 'error' : 'warning',
        `${plural(tagged.length, 'path')} for 802.1Q-tagged frames: ng_ether removes the tag before any ng_bpf node sees the frame, so no classifier can test it; the program lets tagged frames through for VIDs ${vidText}`,
        frameTestSlot(tagged[0].view),
        '802.1Q tag handling',
        ids.length > 0 && ids.length <= 16
          ? `create vlan(4) interfaces on the parent only for VIDs ${vidText} (FreeBSD drops frames of VIDs without one), with an ng_bpf classifier on each vlanN:lower passing EtherTypes ${isEmpty(inner) ? 'none' : inner.ranges.map(([lo, hi]) => (lo === hi ? `0x${lo.toString(16)}` : `0x${lo.toString(16)}-0x${hi.toString(16)}`)).join(', ')}`
          : 'create no vlan(4) interface on the parent: FreeBSD then drops every tagged frame',
      ),
    );
    count.untranslated += tagged.length;
  }

  // Everything that reaches the L2 paths passes on unchanged: as FreeBSD does without a classifier.
  if (infos.every((i) => i.verdict.kind === 'pass')) {
    for (const [why, group] of byWhy(infos)) {
      findings.push(env.finding(codeOf(why), 'info', `${plural(group.length, 'path')} for ${why}: the program passes every such frame to the stack, as FreeBSD does (pf filters IP only): no classifier needed`, frameTestSlot(group[0].view), constructOf(why), 'nothing to do'));
      count.exact += group.length;
    }
    return { classifier: undefined, proxyArp: undefined, findings, count };
  }

  // Frames some path that does not pass could take: never in the predicate.
  const closed = infos.filter((i) => i.verdict.kind !== 'pass' && i.verdict.kind !== 'reply').map((i) => i.conj);
  const ipv4 = ip4.some((v) => v.shape.l3Base === 14 && !v.shape.assumed);
  const wanted: { conj: FrameConj; info: (typeof infos)[number] | undefined }[] = [
    ...(ipv4 ? [{ conj: IPV4_FRAMES, info: undefined }] : []),
    ...infos.filter((i) => (i.verdict.kind === 'pass' || i.verdict.kind === 'reply') && i.unstated.length === 0).map((i) => ({ conj: i.conj, info: i })),
  ];
  const kept: FrameConj[] = [];
  const narrowed = new Set<(typeof infos)[number]>();
  for (const w of wanted) {
    let parts = [w.conj];
    for (const c of closed) parts = parts.flatMap((p) => subtract(p, c));
    if (w.info && !sameConj(parts, w.conj)) narrowed.add(w.info);
    kept.push(...parts);
  }
  const merged = mergeConjs(kept).sort((a, b) => etherKey(a) - etherKey(b) || (conjKey(a) < conjKey(b) ? -1 : 1));

  const reasons: string[] = [];
  const replies = infos.filter((i) => i.verdict.kind === 'reply' && !narrowed.has(i) && i.unstated.length === 0);
  let proxyArp: ProxyArp | undefined;
  if (replies.length > 0) {
    const macs = [...new Set(replies.map((r) => replyMac(r.view, env.littleEndian)))];
    const mac = macs.length === 1 ? macs[0] : undefined;
    const targets = replies.reduce<ValueSet | undefined>((acc, r) => {
      const t = r.conj.fields.get('arp.tpa') ?? { bits: 32, ranges: [[0, 0xffffffff]] };
      return acc ? union(acc, t) : t;
    }, undefined)!;
    const except = complement(targets);
    const exceptList = size(except) <= 8 ? except.ranges.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, k) => dotted(lo + k))) : [];
    proxyArp = { mac, except: exceptList };
    reasons.push(
      `the program answers ARP requests itself (proxy ARP${mac ? ` with ${mac}` : ''}, for ${exceptList.length > 0 ? `every target but ${exceptList.join(', ')}` : 'the targets its tests allow'}); the classifier passes those requests to the FreeBSD stack, which answers only for addresses published with arp -s ... pub (control plane)`,
    );
  }
  const lost = infos.filter((i) => (i.verdict.kind === 'pass' || i.verdict.kind === 'reply') && (i.unstated.length > 0 || narrowed.has(i)));
  const elsewhere = infos.filter((i) => i.verdict.kind === 'other');
  if (lost.length > 0) reasons.push(`drops frames of ${plural(lost.length, 'path')} the program lets through (${[...new Set(lost.flatMap((i) => (i.unstated.length > 0 ? i.unstated : ['their fate depends on run-time state'])))].join('; ')})`);
  if (elsewhere.length > 0) reasons.push(`drops frames of ${plural(elsewhere.length, 'path')} the program sends elsewhere (${[...new Set(elsewhere.map((i) => (i.verdict.kind === 'other' ? i.verdict.what : '')))].join('; ')})`);
  if (tagged.length > 0) reasons.push('802.1Q-tagged frames reach the classifier with the tag removed and are judged by their inner EtherType: what the program does with the tag is vlan(4) configuration (B2P-L2-VLAN)');
  if (ip4.some((v) => v.shape.assumed && v.shape.l3Base === 14 && !shortFrame(v) && verdictOf(v, env).kind !== 'drop')) reasons.push('frames the program reads as IPv4 without testing the EtherType pass only when they are IPv4');
  const fidelity: Fidelity = reasons.length > 0 ? { level: 'approximate', reason: reasons.join('; ') } : { level: 'exact' };
  const claimed = infos.filter((i) => !lost.includes(i) && !elsewhere.includes(i));
  const classifier: Omit<IrClassifier, 'scope'> = {
    name,
    interface: env.interface,
    hook,
    predicate: merged.length > 0 ? disjunctionText(merged) : 'len < 0',
    onMatch: 'pass',
    onMiss: 'drop',
    fidelity,
    provenance: env.provenance(claimed.map((i) => i.view)),
  };

  for (const [why, group] of byWhy(infos)) {
    const ok = group.filter((i) => claimed.includes(i));
    const notOk = group.filter((i) => !claimed.includes(i));
    if (ok.length > 0) {
      const approx = ok.filter((i) => i.verdict.kind === 'reply');
      findings.push(
        env.finding(
          codeOf(why),
          'info',
          `${plural(ok.length, 'path')} for ${why}: translated to the ${where} (${ok.filter((i) => i.verdict.kind === 'drop').length} dropped, ${ok.filter((i) => i.verdict.kind === 'pass').length} passed${approx.length > 0 ? `, ${approx.length} answered by published ARP entries` : ''})`,
          frameTestSlot(ok[0].view),
          constructOf(why),
          approx.length > 0 ? 'load the arp -s ... pub entries of the control plane with the classifier' : 'nothing to do',
        ),
      );
      count.exact += ok.length - approx.length;
      count.approximate += approx.length;
    }
    if (notOk.length > 0) {
      findings.push(
        env.finding(
          codeOf(why),
          'error',
          `${plural(notOk.length, 'path')} for ${why} the ${where} cannot state: it drops their frames, which the program ${[...new Set(notOk.map((i) => (i.verdict.kind === 'other' ? `ends otherwise (${i.verdict.what})` : 'lets through')))].join(' or ')} (${someOf([...new Set(notOk.flatMap((i) => (i.unstated.length > 0 ? i.unstated : ['a condition the classifier cannot state'])))])})`,
          frameTestSlot(notOk[0].view),
          constructOf(why),
          'extend the classifier by hand (ngctl msg ... setprogram) if those frames must pass',
        ),
      );
      count.untranslated += notOk.length;
    }
  }
  return { classifier, proxyArp, findings, count };
}

/** Reasons worth a finding's message: a program with a parser loop has hundreds. */
const REASONS_SHOWN = 3;

function someOf(reasons: readonly string[]): string {
  const more = reasons.length - REASONS_SHOWN;
  return reasons.slice(0, REASONS_SHOWN).join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/**
 * Where a frame's path is located for a finding: the test that picked its EtherType (an
 * equality, such as `h_proto == ETH_P_ARP`), else its first EtherType test (`h_proto !=
 * ETH_P_IP`: what made it not IPv4), else its first test (a bounds check every path shares).
 */
export function frameTestSlot(v: PathView): SlotRef | null {
  const tests = v.atoms.filter((a): a is Extract<typeof a, { kind: 'field' }> => a.kind === 'field' && a.field === 'eth.type');
  const picked = tests.filter((a) => a.set.ranges.length === 1 && a.set.ranges[0][0] === a.set.ranges[0][1]).pop();
  return (picked ?? tests[0])?.slot ?? v.path.guards[0]?.slot ?? null;
}

/** A path only frames shorter than an Ethernet header take: ng_ether never sees one. */
function shortFrame(v: PathView): boolean {
  return v.atoms.some((a) => a.kind === 'length' && !a.holds && a.need.base === 'frame' && a.need.delta <= 14);
}

function etherKey(c: FrameConj): number {
  const t = c.fields.get('eth.type');
  if (!t || isEmpty(t)) return 0x10000;
  if (contains(t, ETHERTYPE.ip4)) return 0;
  return t.ranges[0][0] + 1;
}

function byWhy<T extends { why: string }>(xs: readonly T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(x.why, [...(m.get(x.why) ?? []), x]);
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function codeOf(why: string): string {
  return why === 'an ARP frame' ? 'B2P-L2-ARP' : 'B2P-L2-FRAME';
}

function constructOf(why: string): string {
  return why === 'an ARP frame' ? 'ARP handling' : 'non-IPv4 frame handling';
}

