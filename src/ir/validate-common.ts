/**
 * Pieces the reference checks share: lookups by name, duplicate detection, pf name
 * classes (through src/ir/names.ts, the emitter's rules) and scope references.
 */
import { at, report, type Problems } from './check-shape.js';
import { nameProblem, type NameClass } from './names.js';
import type { IrFamily, IrInterface, IrPipe, IrScope, IrSet } from './types.js';

/** Lookups by name for the reference checks; first definition wins (duplicates are reported). */
export interface IrIndex {
  readonly interfaces: ReadonlyMap<string, IrInterface>;
  readonly sets: ReadonlyMap<string, IrSet>;
  readonly families: ReadonlyMap<string, IrFamily>;
  readonly pipes: ReadonlyMap<number, IrPipe>;
}

/** A map by key, reporting every item whose key an earlier one already had. */
export function unique<T, K>(p: Problems, path: string, items: readonly T[], key: (x: T) => K, field: string): Map<K, T> {
  const out = new Map<K, T>();
  items.forEach((x, i) => {
    const k = key(x);
    if (out.has(k)) report(p, at(at(path, i), field), `${JSON.stringify(k)} is already used by an earlier item`);
    else out.set(k, x);
  });
  return out;
}

export function checkName(p: Problems, path: string, cls: NameClass, name: string): void {
  const problem = nameProblem(cls, name);
  if (problem !== null) report(p, path, `${cls} name ${JSON.stringify(name)} ${problem}`);
}

export function checkScopeRef(p: Problems, path: string, scope: IrScope, index: IrIndex): void {
  if (scope.kind === 'family' && !index.families.has(scope.family)) report(p, at(path, 'family'), `no family named ${JSON.stringify(scope.family)}`);
}
