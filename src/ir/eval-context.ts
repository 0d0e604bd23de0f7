/**
 * An IR made ready for evaluating many packets: tables parsed into longest-prefix
 * lookups, instances found by ifindex, port lists as sets, interface addresses parsed.
 * Built once per IR (createIrEvaluator); read-only afterwards.
 */
import { fail } from '../errors.js';
import { comparePrefixes, parsePrefix, parseTableEntry, type IpAddress, type IpFamily, type Prefix } from './cidr.js';
import { buildLpmTable, type LpmTable } from './lpm.js';
import type { IrFamilyInstance, IrInterface, PolicyIR } from './types.js';
import { portSetNames } from './validate-rules.js';

export interface EvalContext {
  readonly ir: PolicyIR;
  readonly interfaces: ReadonlyMap<string, IrInterface>;
  /** family -> ifindex -> instance. */
  readonly instances: ReadonlyMap<string, ReadonlyMap<number, IrFamilyInstance>>;
  readonly globalTables: ReadonlyMap<string, PreparedTable>;
  /** `family/instance` -> set -> table. */
  readonly instanceTables: ReadonlyMap<string, ReadonlyMap<string, PreparedTable>>;
  /** `family/instance` -> port list -> ports. */
  readonly portLists: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<number>>>;
  /** Logical interface -> its addresses (options.interfaceAddresses). */
  readonly interfaceAddresses: ReadonlyMap<string, readonly IpAddress[]>;
}

export interface PreparedTable {
  readonly lookup: LpmTable;
  /** Where a round-robin pool over the table starts: the lowest plain entry of each family. */
  readonly first: Readonly<Partial<Record<IpFamily, Prefix>>>;
}

export interface IrEvalSetup {
  /**
   * Addresses of the logical interfaces, for `interface` addresses (`(vtnet0)` in pf) and
   * translations to an interface. "addr" or "addr/len" (the length is ignored: `(if)`
   * matches the interface's own addresses). An interface not listed has none.
   */
  readonly interfaceAddresses?: Readonly<Record<string, readonly string[]>>;
}

export const instanceKey = (family: string, instance: string): string => `${family}/${instance}`;

export function prepareIr(ir: PolicyIR, setup: IrEvalSetup = {}): EvalContext {
  const portSets = portSetNames(ir);
  const globalTables = new Map<string, PreparedTable>();
  for (const s of ir.sets) if (s.scope.kind === 'global') globalTables.set(s.name, prepareTable(s.contents));
  const instances = new Map<string, Map<number, IrFamilyInstance>>();
  const instanceTables = new Map<string, Map<string, PreparedTable>>();
  const portLists = new Map<string, Map<string, ReadonlySet<number>>>();
  for (const f of ir.families) {
    const byIfindex = new Map<number, IrFamilyInstance>();
    for (const inst of f.instances) {
      byIfindex.set(inst.ifindex, inst);
      const tables = new Map<string, PreparedTable>();
      const ports = new Map<string, ReadonlySet<number>>();
      for (const [name, contents] of Object.entries(inst.sets)) {
        if (portSets.has(name)) ports.set(name, new Set(contents.map(Number)));
        else tables.set(name, prepareTable(contents));
      }
      instanceTables.set(instanceKey(f.name, inst.name), tables);
      portLists.set(instanceKey(f.name, inst.name), ports);
    }
    instances.set(f.name, byIfindex);
  }
  return {
    ir,
    interfaces: new Map(ir.interfaces.map((x) => [x.name, x])),
    instances,
    globalTables,
    instanceTables,
    portLists,
    interfaceAddresses: parseInterfaceAddresses(setup.interfaceAddresses ?? {}),
  };
}

function prepareTable(contents: readonly string[]): PreparedTable {
  const first: Partial<Record<IpFamily, Prefix>> = {};
  for (const text of contents) {
    const e = parseTableEntry(text);
    if (!e || e.negated) continue;
    const f = e.prefix.family;
    const current = first[f];
    if (!current || comparePrefixes(e.prefix, current) < 0) first[f] = e.prefix;
  }
  return { lookup: buildLpmTable(contents), first };
}

function parseInterfaceAddresses(given: Readonly<Record<string, readonly string[]>>): Map<string, IpAddress[]> {
  const out = new Map<string, IpAddress[]>();
  for (const [name, list] of Object.entries(given)) {
    out.set(
      name,
      list.map((text, i) => {
        const slash = text.indexOf('/');
        const p = parsePrefix(slash < 0 ? text : text.slice(0, slash));
        if (!p || (slash >= 0 && !parsePrefix(text))) fail('USAGE', `interfaceAddresses[${JSON.stringify(name)}][${i}]: ${JSON.stringify(text)} is not an address`);
        return { family: p.family, value: p.net };
      }),
    );
  }
  return out;
}
