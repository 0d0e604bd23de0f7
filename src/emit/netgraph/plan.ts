/**
 * Where each classifier runs: the FreeBSD interfaces whose ng_ether hooks it guards, and
 * the predicate for each. A global classifier runs on its interface. A family classifier
 * runs on every instance's own interface, with `value(field)` in its predicate replaced
 * by that instance's value (as a family rule's address is). A global classifier on an
 * interface group has no members we know of, so it is not placed and a finding says so.
 * One ng_bpf node per interface holds at most one program per direction. Two programs
 * attached at the same place each drop what they do not pass, so a frame goes on only if
 * both pass it: their classifiers become one, the conjunction of the predicates. Any other
 * pair on the same hook is refused (EMIT_UNSUPPORTED) rather than one dropped.
 */
import { fail } from '../../errors.js';
import type { Finding, IrClassifier, IrFamily, IrFamilyInstance, PolicyIR } from '../../ir/types.js';
import { assertNodeName, etherNodeName, filterNodeName } from './names.js';

export interface Placement {
  readonly classifier: IrClassifier;
  /** The instance the classifier was instantiated for, on a family's group. */
  readonly instance: { readonly family: IrFamily; readonly instance: IrFamilyInstance } | null;
  /** The predicate with every value(field) replaced. */
  readonly predicate: string;
  /** Classifiers of other programs on the same hook, conjoined into `predicate`. */
  readonly also: readonly IrClassifier[];
}

export interface InterfacePlan {
  /** The FreeBSD interface: its ng_ether node has this name. */
  readonly ifname: string;
  /** The profile's logical interface (a group's for instances). */
  readonly logical: string;
  readonly node: string;
  readonly lower: Placement | null;
  readonly upper: Placement | null;
}

export interface NetgraphPlan {
  readonly interfaces: readonly InterfacePlan[];
  /** Classifiers with nowhere to run, for the script's comments. */
  readonly unplaced: readonly { readonly classifier: IrClassifier; readonly why: string }[];
  readonly findings: readonly Finding[];
}

const VALUE_REF = /value\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/g;
/** Values that may stand in a predicate: addresses, MACs, numbers; nothing that could add syntax. */
const VALUE_TEXT = /^[0-9A-Fa-f.:]+$/;

function substitute(c: IrClassifier, inst: { family: IrFamily; instance: IrFamilyInstance } | null): string {
  return c.predicate.replace(VALUE_REF, (_m, field: string) => {
    if (!inst) fail('EMIT_BAD_IR', `classifier ${c.name}: value(${field}) in its predicate needs a family instance, but ${c.interface} is not a family's group`);
    const v = inst.instance.values[field];
    if (v === undefined) fail('EMIT_BAD_IR', `classifier ${c.name}: instance ${inst.family.name}/${inst.instance.name} has no value ${field}`);
    if (!VALUE_TEXT.test(v)) fail('EMIT_BAD_IR', `classifier ${c.name}: value ${field} of ${inst.family.name}/${inst.instance.name} is ${JSON.stringify(v)}, not an address or number`);
    return v;
  });
}

function finding(c: IrClassifier, code: string, severity: Finding['severity'], message: string, suggestion: string): Finding {
  const p = c.provenance[0];
  const src = p?.sources[0];
  return {
    code, severity, message, suggestion,
    object: p?.object ?? null, program: p?.program ?? null, section: p?.section ?? null,
    slot: p && p.slots.length > 0 ? Math.min(...p.slots) : null,
    // The emitter has no object to read the line's text from.
    source: src ? { file: src.file, line: src.line, text: '' } : null,
    construct: `ng_bpf classifier ${c.name}`,
  };
}

export function planNetgraph(ir: PolicyIR): NetgraphPlan {
  const slots = new Map<string, { logical: string; lower: Placement | null; upper: Placement | null }>();
  const unplaced: { classifier: IrClassifier; why: string }[] = [];
  const findings: Finding[] = [];
  const place = (ifname: string, logical: string, p: Placement): void => {
    const what = `classifier ${p.classifier.name}`;
    etherNodeName(ifname, what);
    const slot = slots.get(ifname) ?? { logical, lower: null, upper: null };
    const other = slot[p.classifier.hook];
    const filters = (c: IrClassifier): boolean => c.onMatch === 'pass' && c.onMiss === 'drop';
    if (other && !(filters(other.classifier) && filters(p.classifier))) {
      fail('EMIT_UNSUPPORTED', `${what} and classifier ${other.classifier.name} both guard the ${p.classifier.hook} hook of ${ifname}; one ng_bpf hook holds one program`);
    }
    const merged: Placement = other ? { ...other, predicate: `(${other.predicate}) and (${p.predicate})`, also: [...other.also, p.classifier] } : p;
    slots.set(ifname, { ...slot, [p.classifier.hook]: merged });
  };

  for (const c of ir.classifiers) {
    // The IR's classifier names are netgraph node names; ours are derived from the interface, but
    // a name that could not be one is refused as the IR's validator refuses it.
    assertNodeName(c.name, `classifier ${JSON.stringify(c.name)}`);
    const iface = ir.interfaces.find((i) => i.name === c.interface);
    if (!iface) fail('EMIT_BAD_IR', `classifier ${c.name}: unknown interface ${JSON.stringify(c.interface)}`);
    if (c.scope.kind === 'global') {
      if (!iface.group) {
        place(iface.freebsd, iface.name, { classifier: c, instance: null, predicate: substitute(c, null), also: [] });
        continue;
      }
      const why = `it is on interface group ${iface.freebsd} (${iface.name}) and belongs to no family, so its members are not known; ng_bpf needs each member's own ng_ether node`;
      unplaced.push({ classifier: c, why });
      findings.push(finding(c, 'B2P-NETGRAPH-UNPLACED', 'error', `classifier ${c.name} is not installed: ${why}`, 'name the member interfaces in the profile, or install the classifier on each member by hand'));
      continue;
    }
    const familyName = c.scope.family;
    const family = ir.families.find((f) => f.name === familyName);
    if (!family) fail('EMIT_BAD_IR', `classifier ${c.name}: unknown family ${JSON.stringify(familyName)}`);
    if (family.instances.length === 0) {
      const why = `family ${family.name} has no instances in the snapshot`;
      unplaced.push({ classifier: c, why });
      findings.push(finding(c, 'B2P-NETGRAPH-UNPLACED', 'warning', `classifier ${c.name} is not installed anywhere yet: ${why}`, `install it on each ${family.name} instance's interface when the instance is created`));
    }
    for (const instance of family.instances) {
      place(instance.interface, iface.name, { classifier: c, instance: { family, instance }, predicate: substitute(c, { family, instance }), also: [] });
    }
  }

  const interfaces = [...slots.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ifname, s]) => ({ ifname, logical: s.logical, node: filterNodeName(ifname, `interface ${ifname}`), lower: s.lower, upper: s.upper }));
  // An interface called like one of our nodes would have an ng_ether node of that name.
  const ifnames = new Set([...ir.interfaces.map((i) => i.freebsd), ...ir.families.flatMap((f) => f.instances.map((i) => i.interface))]);
  for (const i of interfaces) {
    if (ifnames.has(i.node)) fail('EMIT_BAD_NAME', `interface ${i.ifname}: its ng_bpf node would be named ${i.node}, which is also an interface (and its ng_ether node)`);
  }
  return { interfaces, unplaced, findings };
}
