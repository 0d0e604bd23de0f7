/**
 * What the shape alone cannot say: names pf would refuse, duplicates, references that
 * must resolve (interfaces, sets, families, pipes) and fit the scope they are used in,
 * set contents that must parse as their element, and the few semantic rules of the IR
 * itself (instance names unique per family, family sets filled per instance). Rule
 * checks are in validate-rules.ts. Runs on an IR whose shape has been checked.
 */
import { at, report, type Problems } from './check-shape.js';
import { parseTableEntry, type IpFamily } from './cidr.js';
import { PF_LIMIT_NAMES, PF_TIMEOUT_NAMES } from './patterns.js';
import type { IrFamily, IrSet, PolicyIR } from './types.js';
import { checkName, checkScopeRef, unique, type IrIndex } from './validate-common.js';
import { checkRules, portSetNames } from './validate-rules.js';

export function checkReferences(p: Problems, ir: PolicyIR): void {
  const index = buildIndex(p, ir);
  checkInterfaces(p, ir);
  const portSets = portSetNames(ir);
  ir.sets.forEach((s, i) => checkSet(p, at(at('$', 'sets'), i), s, index, portSets));
  ir.families.forEach((f, i) => checkFamily(p, at(at('$', 'families'), i), f, ir, index, portSets));
  ir.pipes.forEach((pipe, i) => checkScopeRef(p, at(at(at('$', 'pipes'), i), 'scope'), pipe.scope, index));
  ir.classifiers.forEach((c, i) => {
    const path = at(at('$', 'classifiers'), i);
    if (!index.interfaces.has(c.interface)) report(p, at(path, 'interface'), `no interface named ${JSON.stringify(c.interface)}`);
    checkScopeRef(p, at(path, 'scope'), c.scope, index);
    const family = c.scope.kind === 'family' ? index.families.get(c.scope.family) : undefined;
    if (family && family.interface !== c.interface) report(p, at(path, 'interface'), `a family classifier sits on its family's interface (${JSON.stringify(family.interface)})`);
  });
  checkRules(p, ir, index);
  for (const k of Object.keys(ir.state.timeouts)) {
    if (!PF_TIMEOUT_NAMES.has(k)) report(p, at(at(at('$', 'state'), 'timeouts'), k), 'is not a pf timeout');
  }
  for (const k of Object.keys(ir.state.limits)) {
    if (!PF_LIMIT_NAMES.has(k)) report(p, at(at(at('$', 'state'), 'limits'), k), 'is not a pf limit');
  }
  ir.coverage.forEach((c, i) => {
    if (c.instructions.covered > c.instructions.total) report(p, at(at(at('$', 'coverage'), i), 'instructions'), 'covers more instructions than the program has');
  });
}

function buildIndex(p: Problems, ir: PolicyIR): IrIndex {
  return {
    interfaces: unique(p, '$.interfaces', ir.interfaces, (x) => x.name, 'name'),
    sets: unique(p, '$.sets', ir.sets, (x) => x.name, 'name'),
    families: unique(p, '$.families', ir.families, (x) => x.name, 'name'),
    pipes: unique(p, '$.pipes', ir.pipes, (x) => x.id, 'id'),
  };
}

function checkInterfaces(p: Problems, ir: PolicyIR): void {
  const byIfindex = new Map<number, string>();
  ir.interfaces.forEach((x, i) => {
    const path = at('$.interfaces', i);
    checkName(p, at(path, 'name'), 'macro', x.name);
    checkName(p, at(path, 'freebsd'), 'interface', x.freebsd);
    // ifconfig(8) refuses a group name ending in a digit: it could not be told from an interface.
    if (x.group && /[0-9]$/.test(x.freebsd)) report(p, at(path, 'freebsd'), `a FreeBSD interface group name may not end in a digit: ${JSON.stringify(x.freebsd)}`);
    if (x.ifindex !== null) {
      const other = byIfindex.get(x.ifindex);
      if (other !== undefined) report(p, at(path, 'ifindex'), `ifindex ${x.ifindex} is already interface ${JSON.stringify(other)}`);
      else byIfindex.set(x.ifindex, x.name);
    }
  });
}

function checkSet(p: Problems, path: string, s: IrSet, index: IrIndex, portSets: ReadonlySet<string>): void {
  checkName(p, at(path, 'name'), 'table', s.name);
  checkScopeRef(p, at(path, 'scope'), s.scope, index);
  if (s.scope.kind === 'family') {
    // A family set's contents live in each instance (IrFamilyInstance.sets).
    if (s.contents.length > 0) report(p, at(path, 'contents'), 'a family set keeps its contents in the instances; this list must be empty');
    return;
  }
  if (portSets.has(s.name)) report(p, path, 'a set used as a port list (familySet) must be scoped to a family');
  checkTableContents(p, at(path, 'contents'), s.contents, s.element);
}

/** Entries that parse as prefixes of the set's family, no prefix both plain and negated. */
export function checkTableContents(p: Problems, path: string, contents: readonly string[], element: IpFamily): void {
  const seen = new Map<string, boolean>();
  contents.forEach((text, i) => {
    const e = parseTableEntry(text);
    if (!e) return report(p, at(path, i), `${JSON.stringify(text)} is not an address or prefix`);
    if (e.prefix.family !== element) return report(p, at(path, i), `${JSON.stringify(text)} is not an ${element} prefix`);
    const key = `${e.prefix.net}/${e.prefix.len}`;
    const before = seen.get(key);
    if (before !== undefined && before !== e.negated) report(p, at(path, i), `${JSON.stringify(text)} is listed both plain and negated: no membership to keep`);
    seen.set(key, e.negated);
  });
}

function checkFamily(p: Problems, path: string, f: IrFamily, ir: PolicyIR, index: IrIndex, portSets: ReadonlySet<string>): void {
  checkName(p, at(path, 'name'), 'anchor', f.name);
  if (!index.interfaces.has(f.interface)) report(p, at(path, 'interface'), `no interface named ${JSON.stringify(f.interface)}`);
  const familySets = ir.sets.filter((s) => s.scope.kind === 'family' && s.scope.family === f.name);
  const instances = at(path, 'instances');
  unique(p, instances, f.instances, (x) => x.name, 'name');
  unique(p, instances, f.instances, (x) => x.ifindex, 'ifindex');
  unique(p, instances, f.instances, (x) => x.key, 'key');
  f.instances.forEach((inst, i) => {
    const ip = at(instances, i);
    checkName(p, at(ip, 'name'), 'anchor', inst.name);
    checkName(p, at(ip, 'interface'), 'interface', inst.interface);
    for (const name of Object.keys(inst.sets)) {
      if (!familySets.some((s) => s.name === name)) report(p, at(at(ip, 'sets'), name), `no set ${JSON.stringify(name)} in family ${JSON.stringify(f.name)}`);
    }
    for (const s of familySets) {
      const contents = inst.sets[s.name];
      const sp = at(at(ip, 'sets'), s.name);
      if (contents === undefined) report(p, sp, `instance ${JSON.stringify(inst.name)} has no contents for family set ${JSON.stringify(s.name)} (an empty list if it has none)`);
      else if (portSets.has(s.name)) checkPortList(p, sp, contents);
      else checkTableContents(p, sp, contents, s.element);
    }
  });
}

/** A port list (familySet): decimal port numbers. */
function checkPortList(p: Problems, path: string, contents: readonly string[]): void {
  contents.forEach((text, i) => {
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) report(p, at(path, i), `${JSON.stringify(text)} is not a port number`);
  });
}
