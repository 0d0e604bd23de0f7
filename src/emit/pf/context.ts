/**
 * What every building step needs to look up, checked once: interfaces, sets, families
 * and instances by name, the target release and the pipe numbers. Names are validated
 * here so an error names the IR entry, not the rule that first used it.
 */
import { fail } from '../../errors.js';
import { assertName } from '../../ir/names.js';
import type { IrFamily, IrFamilyInstance, IrInterface, IrSet, PolicyIR } from '../../ir/types.js';
import { pfRelease, type PfRelease } from './release.js';
import { pipeIndex, pipeNumbers, type PipeNumber } from './pipes.js';

export interface InstanceRef {
  readonly family: IrFamily;
  readonly instance: IrFamilyInstance;
  readonly index: number;
}

export interface EmitContext {
  readonly ir: PolicyIR;
  readonly release: PfRelease;
  readonly interfaces: ReadonlyMap<string, IrInterface>;
  readonly sets: ReadonlyMap<string, IrSet>;
  readonly families: ReadonlyMap<string, IrFamily>;
  readonly pipes: readonly PipeNumber[];
  readonly pipeNumber: (pipe: number, instance: { readonly family: string; readonly name: string } | null, what: string) => number;
}

function uniqueMap<T>(items: readonly T[], key: (t: T) => string, what: string): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) {
    const k = key(it);
    if (m.has(k)) fail('EMIT_BAD_IR', `two ${what}s are named ${JSON.stringify(k)}`);
    m.set(k, it);
  }
  return m;
}

export function emitContext(ir: PolicyIR): EmitContext {
  const release = pfRelease(ir.target);
  const interfaces = uniqueMap(ir.interfaces, (i) => i.name, 'interface');
  for (const i of ir.interfaces) {
    assertName('macro', i.name, `interface ${i.name}`);
    assertName('interface', i.freebsd, `interface ${i.name}`);
  }
  const sets = uniqueMap(ir.sets, (s) => s.name, 'set');
  for (const s of ir.sets) {
    assertName('table', s.name, `set ${s.name}`);
    if (s.scope.kind === 'family' && !ir.families.some((f) => s.scope.kind === 'family' && f.name === s.scope.family)) {
      fail('EMIT_BAD_IR', `set ${s.name} belongs to unknown family ${JSON.stringify(s.scope.family)}`);
    }
  }
  const families = uniqueMap(ir.families, (f) => f.name, 'family');
  // Concrete (non-group) interfaces: an instance on one of them would break the
  // assumption that a family's instances are apart from the profile's other interfaces.
  const concrete = new Set(ir.interfaces.filter((i) => !i.group).map((i) => i.freebsd));
  for (const f of ir.families) {
    assertName('anchor', f.name, `family ${f.name}`);
    if (!interfaces.has(f.interface)) fail('EMIT_BAD_IR', `family ${f.name}: unknown interface ${JSON.stringify(f.interface)}`);
    uniqueMap(f.instances, (i) => i.name, `instance of family ${f.name}`);
    uniqueMap(f.instances, (i) => i.interface, `instance interface of family ${f.name}`);
    for (const inst of f.instances) {
      assertName('anchor', inst.name, `instance ${f.name}/${inst.name}`);
      assertName('interface', inst.interface, `instance ${f.name}/${inst.name}`);
      if (concrete.has(inst.interface)) {
        fail('EMIT_BAD_IR', `instance ${f.name}/${inst.name} is on ${inst.interface}, which the profile also names as a non-group interface`);
      }
    }
  }
  const pipes = pipeNumbers(ir);
  return { ir, release, interfaces, sets, families, pipes, pipeNumber: pipeIndex(pipes) };
}

export function interfaceOf(ctx: EmitContext, name: string, what: string): IrInterface {
  const i = ctx.interfaces.get(name);
  if (!i) fail('EMIT_BAD_IR', `${what}: unknown interface ${JSON.stringify(name)}`);
  return i;
}

export function familyOf(ctx: EmitContext, name: string, what: string): IrFamily {
  const f = ctx.families.get(name);
  if (!f) fail('EMIT_BAD_IR', `${what}: unknown family ${JSON.stringify(name)}`);
  return f;
}
