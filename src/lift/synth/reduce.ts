import type { IrMatch, IrRule } from '../../ir/types.js';
import { canonicalJson } from '../../output/canonical-json.js';

/**
 * A rule as written from a draft, before it is numbered: what the rule list is reduced
 * over. `drops` says every path the rule stands for ends in a drop in the program, so
 * any block of its packets is the program's own verdict, whichever rule gives it.
 */
export interface Candidate<P, X> {
  readonly rule: Omit<IrRule, 'id'>;
  readonly drops: boolean;
  /** The paths the rule was written for: their fidelity is the rule's. */
  readonly paths: readonly P[];
  /** Paths of removed rules whose packets this rule now blocks, as the program drops them. */
  readonly absorbed: readonly P[];
  /** The caller's own data on the rule, combined by the caller's function when rules merge. */
  readonly info: X;
}

/**
 * The first-match list with fewer rules and the same verdict for every packet. Rules are
 * drafted per path region, and where a compiler splits a region in two (clang 19 against
 * clang 14, -O1 against -O2) the drafts differ while the policy does not. Two rewrites,
 * each leaving every packet's action and translations as they were:
 * - a block of packets the program drops goes when a later block matches all it matches
 *   and every rule in between either blocks too or cannot match its packets;
 * - neighbours that differ only in their protocol list become one rule.
 * The paths of a removed rule join the rule that now takes its packets.
 * Notes are compared as given: the caller adds path counts after reducing.
 */
export function reduceRules<P, X>(candidates: readonly Candidate<P, X>[], info: { readonly merge: (kept: X, gone: X) => X; readonly closed: (x: X) => boolean }): Candidate<P, X>[] {
  let out = [...candidates];
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < out.length && !changed; i++) {
      const s = shadowing(out, i, info.closed);
      if (s !== undefined) {
        const gone = out[i];
        const kept = out[s];
        // A block takes a dropping rule's packets as the program does; anything else decides them its own way.
        const taken = kept.rule.action === 'block' && gone.drops ? { absorbed: [...kept.absorbed, ...gone.paths, ...gone.absorbed] } : { paths: [...kept.paths, ...gone.paths], absorbed: [...kept.absorbed, ...gone.absorbed] };
        // The kept rule now stands for the gone rule's paths too: it drops as the program does only if both did.
        out = out.map((c, k) => (k === s ? { ...kept, ...taken, drops: kept.drops && gone.drops, info: info.merge(kept.info, gone.info) } : c)).filter((_, k) => k !== i);
        changed = true;
        continue;
      }
      const j = coveringBlock(out, i);
      if (j !== undefined) {
        const survivor = out[j];
        const gone = out[i];
        out = out.map((c, k) => (k === j ? { ...survivor, absorbed: [...survivor.absorbed, ...gone.paths, ...gone.absorbed] } : c)).filter((_, k) => k !== i);
        changed = true;
        continue;
      }
      const next = out[i + 1];
      const merged = next && mergeProtocols(out[i], next, info.merge);
      if (merged) {
        out = [...out.slice(0, i), merged, ...out.slice(i + 2)];
        changed = true;
      }
    }
  }
  return out;
}

/** The later block that takes every packet of rule `i` with the same verdict, if any. */
function coveringBlock<P, X>(rules: readonly Candidate<P, X>[], i: number): number | undefined {
  const r = rules[i];
  if (r.rule.action !== 'block' || !r.drops) return undefined;
  for (let j = i + 1; j < rules.length; j++) {
    const k = rules[j].rule;
    // Rules of another scope are written elsewhere (an anchor, the main ruleset).
    if (canonicalJson(k.scope) !== canonicalJson(r.rule.scope)) return undefined;
    if (k.action === 'block') {
      if (within(r.rule.match, k.match)) return j;
      continue;
    }
    if (!disjoint(r.rule.match, k.match)) return undefined;
  }
  return undefined;
}

/** An earlier rule of the same scope that matches every packet rule `i` matches: `i` never decides one. */
function shadowing<P, X>(rules: readonly Candidate<P, X>[], i: number, closed: (x: X) => boolean): number | undefined {
  const r = rules[i].rule;
  const scope = canonicalJson(r.scope);
  for (let k = 0; k < i; k++) {
    if (canonicalJson(rules[k].rule.scope) !== scope || !within(r.match, rules[k].rule.match)) continue;
    // A closed rule's report stays unless the rule that shadows it is closed too and takes it over.
    return closed(rules[i].info) && !closed(rules[k].info) ? undefined : k;
  }
  return undefined;
}

/** Two neighbours equal but for their protocols: one rule with both lists. */
function mergeProtocols<P, X>(a: Candidate<P, X>, b: Candidate<P, X>, mergeInfo: (kept: X, gone: X) => X): Candidate<P, X> | undefined {
  const pa = a.rule.match.proto;
  const pb = b.rule.match.proto;
  if (!pa || !pb || a.drops !== b.drops) return undefined;
  const strip = (c: Candidate<P, X>): string => canonicalJson({ ...c.rule, match: { ...c.rule.match, proto: [] }, provenance: [] });
  if (strip(a) !== strip(b)) return undefined;
  const proto = [...new Set([...pa, ...pb])].sort((x, y) => x - y);
  return { rule: { ...a.rule, match: { ...a.rule.match, proto } }, drops: a.drops, paths: [...a.paths, ...b.paths], absorbed: [...a.absorbed, ...b.absorbed], info: mergeInfo(a.info, b.info) };
}


const L4_KEYS = ['srcPort', 'dstPort', 'tcpFlags', 'icmpType'] as const;

/** Whether every packet `inner` matches, `outer` matches too (judged on what each states). */
export function within(inner: IrMatch, outer: IrMatch): boolean {
  if (outer.af !== undefined && outer.af !== inner.af) return false;
  if (outer.proto && !(inner.proto && inner.proto.every((p) => outer.proto!.includes(p)))) return false;
  if (outer.fragment !== undefined && outer.fragment !== inner.fragment) return false;
  for (const k of [...L4_KEYS, 'tagged', 'src', 'dst'] as const) {
    if (outer[k] !== undefined && canonicalJson(inner[k]) !== canonicalJson(outer[k])) return false;
  }
  return true;
}

/** Whether no packet can match both (judged on what each states; unsure is false). */
export function disjoint(a: IrMatch, b: IrMatch): boolean {
  if (a.af !== undefined && b.af !== undefined && a.af !== b.af) return true;
  if (a.proto && b.proto && !a.proto.some((p) => b.proto!.includes(p))) return true;
  if (a.fragment !== undefined && b.fragment !== undefined && a.fragment !== b.fragment) return true;
  // pf without reassembly: a fragment never matches a rule with ports, flags or an ICMP type.
  const l4 = (m: IrMatch): boolean => L4_KEYS.some((k) => m[k] !== undefined);
  if ((a.fragment === true && l4(b)) || (b.fragment === true && l4(a))) return true;
  if (a.icmpType && b.icmpType && a.icmpType.type !== b.icmpType.type) return true;
  if (a.tcpFlags && b.tcpFlags) {
    const common = a.tcpFlags.mask & b.tcpFlags.mask;
    if ((a.tcpFlags.set & common) !== (b.tcpFlags.set & common)) return true;
  }
  return false;
}
