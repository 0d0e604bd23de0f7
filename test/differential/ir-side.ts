import { formatAddress, parseAddress, parsePrefix, prefixContains, type IpAddress } from '../../src/ir/cidr.js';
import { createIrEvaluator, type IrAppliedTranslation, type IrEvalSetup, type IrIpVerdict } from '../../src/ir/evaluate.js';
import { buildLpmTable, lpmMatch } from '../../src/ir/lpm.js';
import type { IrClassifier, IrFamilyInstance, IrRule, IrTranslation, PolicyIR } from '../../src/ir/types.js';
import type { PacketDestination } from './packet-destination.js';

/**
 * The IR's side of the check: what the translated rules do with a packet arriving where
 * a program is attached. One evaluator pass on the program's interface and direction;
 * when the deciding rule routes the packet out of another interface, a second pass `out`
 * on that interface (pf filters a routed packet again where it leaves; no rule there is
 * pf's default pass). What pf adds after the rule pass is applied too: a pass of a packet
 * with IP options is a drop, since no rule carries allow-opts.
 *
 * The outcome is `exact` when every leg that a rule decided was decided by an exact rule.
 *
 * ng_bpf classifiers (IrClassifier) sit on the interface's ng_ether hooks: `lower` sees
 * what the interface receives, before pf's `in` pass; `upper` what the host sends, after
 * pf's `out` pass. A frame a classifier drops never gets further. Running one takes the
 * cBPF compiler and interpreter, which the caller hands in (`classifierMatch`).
 */
export interface AttachPoint {
  /** The logical interface (IrInterface.name). */
  readonly interface: string;
  readonly direction: 'in' | 'out';
}

export interface IrLeg {
  readonly ifindex: number;
  readonly interface: string;
  readonly direction: 'in' | 'out';
  readonly verdict: IrIpVerdict;
}

/** A translation the rules applied, with the rule and the spec it came from. */
export interface TranslationUse {
  readonly applied: IrAppliedTranslation;
  readonly rule: IrRule;
  readonly spec: IrTranslation;
  /** The ifindex of the leg it was applied on (selects the family instance). */
  readonly ifindex: number;
}

export type IrOutcome =
  /** pf never sees the frame on this interface. */
  | { readonly kind: 'notPf'; readonly reason: string }
  /** An ng_bpf classifier dropped the frame (before pf in, after pf out). */
  | { readonly kind: 'classifierDrop'; readonly classifier: IrClassifier; readonly legs: readonly IrLeg[] }
  /**
   * No rule decided: pf's default rule applies (pass, but a drop for a packet with IP
   * options: the default rule has no allow-opts either), or pf dropped the packet before
   * any rule (malformed, short).
   */
  | { readonly kind: 'undecided'; readonly reason: string; readonly pf: 'pass' | 'drop'; readonly legs: readonly IrLeg[] }
  | IrDecided;

export interface IrDecided {
  readonly kind: 'decided';
  readonly action: 'pass' | 'block';
  readonly exact: boolean;
  /** The rules that decided, one per leg a rule decided. */
  readonly deciders: readonly IrRule[];
  readonly legs: readonly IrLeg[];
  /** The frame as it leaves (the input frame for a block). */
  readonly bytes: Uint8Array;
  readonly destination: PacketDestination;
  readonly translations: readonly TranslationUse[];
  /** Why a rule's pass became a drop. */
  readonly dropReason?: string;
}

export interface IrSide {
  evaluate(bytes: Uint8Array, ifindex: number, at: AttachPoint): IrOutcome;
  /** Whether the translation may have written `address` (in its pool: pf chooses; binat: exactly). */
  poolAllows(use: TranslationUse, address: IpAddress): boolean;
  /** The addresses of the interface with this ifindex (`interfaceAddresses`), for local delivery. */
  addressesOf(ifindex: number): readonly IpAddress[];
  /** Logical interface of an ifindex: a profile interface, or the family of an instance. */
  interfaceOf(ifindex: number): string | undefined;
}

const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);

/** Whether a classifier's predicate matches a frame. */
export type ClassifierMatch = (classifier: IrClassifier) => (frame: Uint8Array) => boolean;

export function createIrSide(ir: PolicyIR, setup: IrEvalSetup, classifierMatch: ClassifierMatch): IrSide {
  const evaluate = createIrEvaluator(ir, setup);
  const predicates = new Map(ir.classifiers.map((c) => [c, classifierMatch(c)]));
  const rules = new Map(ir.rules.map((r) => [r.id, r]));
  const logical = new Map<number, string>();
  for (const i of ir.interfaces) if (i.ifindex !== null) logical.set(i.ifindex, i.name);
  const instances = new Map<string, Map<number, IrFamilyInstance>>();
  for (const f of ir.families) {
    instances.set(f.name, new Map(f.instances.map((x) => [x.ifindex, x])));
    for (const x of f.instances) if (!logical.has(x.ifindex)) logical.set(x.ifindex, f.interface);
  }
  const addresses = new Map<string, IpAddress[]>();
  for (const [name, list] of Object.entries(setup.interfaceAddresses ?? {})) {
    addresses.set(name, list.map((t) => parseAddress(t.split('/')[0])).filter((a): a is IpAddress => a !== null));
  }
  const instanceOf = (rule: IrRule, ifindex: number): IrFamilyInstance | undefined =>
    rule.scope.kind === 'family' ? instances.get(rule.scope.family)?.get(ifindex) : undefined;

  /** The classifier on this interface and hook that drops the frame, if one does. */
  const dropper = (frame: Uint8Array, ifindex: number, iface: string, hook: IrClassifier['hook']): IrClassifier | undefined =>
    ir.classifiers.find((c) => {
      if (c.hook !== hook || c.interface !== iface) return false;
      if (c.scope.kind === 'family' && !instances.get(c.scope.family)?.has(ifindex)) return false;
      const matched = predicates.get(c)!(frame);
      return (matched ? c.onMatch : c.onMiss) === 'drop';
    });

  const uses = (leg: IrLeg): TranslationUse[] => {
    const seen = new Map<string, number>();
    return leg.verdict.translations.map((applied) => {
      const rule = rules.get(applied.rule)!;
      const k = seen.get(rule.id) ?? 0;
      seen.set(rule.id, k + 1);
      return { applied, rule, spec: rule.translations[k], ifindex: leg.ifindex };
    });
  };

  const side: IrSide = {
    interfaceOf: (ifindex) => logical.get(ifindex),
    addressesOf: (ifindex) => addresses.get(logical.get(ifindex) ?? '') ?? [],
    poolAllows(use, address) {
      if (use.spec.kind === 'binat') return use.applied.to.address === formatAddress(address);
      const to = use.spec.to;
      const instance = instanceOf(use.rule, use.ifindex);
      switch (to.kind) {
        case 'any':
          return false;
        case 'cidr':
        case 'familyValue': {
          const text = to.kind === 'cidr' ? to.cidr : instance?.values[to.field];
          const p = text === undefined ? null : parsePrefix(text);
          return p !== null && prefixContains(p, address);
        }
        case 'set': {
          const contents = instance?.sets[to.set] ?? ir.sets.find((s) => s.name === to.set && s.scope.kind === 'global')?.contents ?? [];
          return lpmMatch(buildLpmTable(contents), address);
        }
        case 'interface':
          return (addresses.get(to.interface) ?? []).some((a) => a.family === address.family && a.value === address.value);
        default: {
          const never: never = to;
          return never;
        }
      }
    },
    evaluate(bytes, ifindex, at) {
      if (bytes.length >= 14 && VLAN_TPIDS.has((bytes[12] << 8) | bytes[13])) {
        return { kind: 'notPf', reason: 'VLAN-tagged: pf sees it on a vlan(4) interface, not this one' };
      }
      const lower = at.direction === 'in' ? dropper(bytes, ifindex, at.interface, 'lower') : undefined;
      if (lower) return { kind: 'classifierDrop', classifier: lower, legs: [] };
      const first = evaluate({ bytes, ifindex, direction: at.direction, interface: at.interface });
      if (first.action === 'notIp') return { kind: 'notPf', reason: 'not IP' };
      if (first.action === 'held') return { kind: 'notPf', reason: 'a fragment: pf reassembles its datagram and filters that whole' };
      const legs: IrLeg[] = [{ ifindex, interface: at.interface, direction: at.direction, verdict: first }];
      const upper = (frame: Uint8Array, leg: IrLeg): IrOutcome | undefined => {
        const c = leg.direction === 'out' ? dropper(frame, leg.ifindex, leg.interface, 'upper') : undefined;
        return c && { kind: 'classifierDrop', classifier: c, legs };
      };
      if (first.action === 'nomatch') {
        return first.ipOptions
          ? { kind: 'undecided', reason: 'no rule matched (pf default rule, which drops IP options)', pf: 'drop', legs }
          : { kind: 'undecided', reason: 'no rule matched (pf default pass)', pf: 'pass', legs };
      }
      if (first.rule === undefined) return { kind: 'undecided', reason: `dropped before any rule (${first.reason}${first.detail ? `: ${first.detail}` : ''})`, pf: 'drop', legs };
      const decider = rules.get(first.rule)!;
      const decided = (action: 'pass' | 'block', deciders: IrRule[], out: Uint8Array, destination: PacketDestination, dropReason?: string): IrDecided => ({
        kind: 'decided',
        action,
        exact: deciders.every((r) => r.fidelity.level === 'exact'),
        deciders,
        legs,
        bytes: out,
        destination,
        translations: legs.flatMap(uses),
        ...(dropReason !== undefined && { dropReason }),
      });
      if (first.action === 'block') return decided('block', [decider], bytes, { kind: 'drop' }, first.reason && `${first.reason}: ${first.detail ?? ''}`);
      if (first.ipOptions && !decider.allowOpts) return decided('block', [decider], bytes, { kind: 'drop' }, 'IP options: pf drops them on a pass rule without allow-opts');
      const afterFirst = upper(first.bytes, legs[0]);
      if (afterFirst) return afterFirst;
      const route = first.route;
      if (!route) return decided('pass', [decider], first.bytes, { kind: 'stack' });
      if (route.ifindex === undefined) return decided('pass', [decider], first.bytes, { kind: 'out', ifindex: Number.NaN });
      // The egress leg on the route's interface.
      const outIf = logical.get(route.ifindex) ?? route.interface;
      const second = evaluate({ bytes: first.bytes, ifindex: route.ifindex, direction: 'out', interface: outIf }, first.tag);
      if (second.action === 'notIp') return decided('pass', [decider], first.bytes, { kind: 'out', ifindex: route.ifindex });
      // The first leg passed it whole: the egress leg cannot hold it as a fragment.
      if (second.action === 'held') throw new Error('the egress leg held a packet the ingress leg filtered whole');
      legs.push({ ifindex: route.ifindex, interface: outIf, direction: 'out', verdict: second });
      if (second.action !== 'block') {
        const afterSecond = upper(second.bytes, legs[1]);
        if (afterSecond) return afterSecond;
      }
      if (second.action === 'nomatch') return decided('pass', [decider], second.bytes, { kind: 'out', ifindex: route.ifindex });
      const deciders = second.rule === undefined ? [decider] : [decider, rules.get(second.rule)!];
      if (second.action === 'block') return decided('block', deciders, bytes, { kind: 'drop' }, second.rule === undefined ? `egress leg: ${second.reason}` : undefined);
      if (second.ipOptions && !(second.rule !== undefined && rules.get(second.rule)?.allowOpts)) return decided('block', deciders, bytes, { kind: 'drop' }, 'IP options: pf drops them on a pass rule without allow-opts (egress leg)');
      const destination: PacketDestination = second.route?.ifindex !== undefined ? { kind: 'out', ifindex: second.route.ifindex } : { kind: 'out', ifindex: route.ifindex };
      return decided('pass', deciders, second.bytes, destination);
    },
  };
  return side;
}
