/**
 * The JSON Schema and validateIr state one contract. Fixtures and generated IRs pass
 * both; every targeted mutation (a field removed, a field added, a leaf of the wrong
 * type or out of range, an enum value unknown) gets the same answer from the schema as
 * from the validator's shape pass. The schema is read by a small validator of its own
 * keyword subset (json-schema-lite.ts) and, when it is installed, by ajv.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_IR_SCHEMA } from '../../src/ir/schema.js';
import { irProblems, irShapeProblems } from '../../src/ir/validate.js';
import { generateIr } from './arbitrary-ir.js';
import { fullIr } from './fixtures.js';
import { schemaErrors } from './json-schema-lite.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- mutations write anywhere in the tree */
type Loose = any;

const schemaValid = (x: unknown): boolean => schemaErrors(POLICY_IR_SCHEMA, x).length === 0;
const shapeValid = (x: unknown): boolean => irShapeProblems(x).length === 0;

/** Paths (as key lists) of every object and array node, and whether an object is a map. */
function nodes(x: unknown, path: (string | number)[] = [], out: { path: (string | number)[]; record: boolean }[] = []): typeof out {
  if (Array.isArray(x)) {
    out.push({ path, record: false });
    x.forEach((v, i) => nodes(v, [...path, i], out));
  } else if (typeof x === 'object' && x !== null) {
    const last = path[path.length - 1];
    // JSON objects used as maps: any key of the right shape is allowed there.
    const record = ['values', 'timeouts', 'limits'].includes(String(last)) || (last === 'sets' && path[path.length - 3] === 'instances');
    out.push({ path, record });
    for (const [k, v] of Object.entries(x)) nodes(v, [...path, k], out);
  }
  return out;
}

function get(x: Loose, path: readonly (string | number)[]): Loose {
  return path.reduce((v, k) => v[k], x);
}

type Mutation = 'delete' | 'extra' | 'retype' | 'badValue';

/** Applies one mutation at a node; false when it does not apply there. */
function mutate(ir: Loose, node: { path: (string | number)[]; record: boolean }, key: string | number, kind: Mutation): boolean {
  const target = get(ir, node.path);
  if (Array.isArray(target) && kind !== 'retype' && kind !== 'badValue') return false;
  switch (kind) {
    case 'delete':
      delete target[key];
      return true;
    case 'extra':
      if (node.record) return false;
      target.unexpected = 1;
      return true;
    case 'retype': {
      const v = target[key];
      target[key] = typeof v === 'string' ? 7 : typeof v === 'number' ? '7' : typeof v === 'boolean' ? 'yes' : v === null ? false : 'x';
      return true;
    }
    case 'badValue': {
      const v = target[key];
      if (typeof v === 'string') target[key] = `${v}\n`;
      else if (typeof v === 'number') target[key] = pickBadNumber(v);
      else return false;
      return true;
    }
  }
}

const pickBadNumber = (v: number): number => (v === 0 ? -1 : v + 0.5);

describe('schema and validateIr agree', () => {
  it('on the fixture', () => {
    expect(schemaErrors(POLICY_IR_SCHEMA, fullIr())).toEqual([]);
    expect(irProblems(fullIr())).toEqual([]);
  });

  it('on generated IRs: all valid under both', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const ir = generateIr(g);
        expect(irProblems(ir)).toEqual([]);
        expect(schemaErrors(POLICY_IR_SCHEMA, ir)).toEqual([]);
      }),
      { numRuns: 400, endOnFailure: true },
    );
  });

  it('on every single-field deletion and addition in the fixture', () => {
    const base = fullIr();
    let checked = 0;
    for (const node of nodes(base)) {
      const target = get(base, node.path);
      for (const key of Array.isArray(target) ? [] : Object.keys(target)) {
        for (const kind of ['delete', 'retype', 'badValue'] as const) {
          const ir = structuredClone(base) as Loose;
          if (!mutate(ir, node, key, kind)) continue;
          checked++;
          expect(schemaValid(ir), `${kind} ${[...node.path, key].join('.')}`).toBe(shapeValid(ir));
        }
      }
      const ir = structuredClone(base) as Loose;
      if (mutate(ir, node, 'unexpected', 'extra')) {
        expect(schemaValid(ir), `extra at ${node.path.join('.')}`).toBe(false);
        expect(shapeValid(ir), `extra at ${node.path.join('.')}`).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('on targeted mutations of generated IRs', () => {
    fc.assert(
      fc.property(fc.gen(), fc.constantFrom<Mutation>('delete', 'extra', 'retype', 'badValue'), fc.nat(), fc.nat(), (g, kind, i, j) => {
        const ir = structuredClone(generateIr(g)) as Loose;
        const all = nodes(ir);
        const node = all[i % all.length];
        const target = get(ir, node.path);
        const keys = Array.isArray(target) ? target.map((_: unknown, n: number) => n) : Object.keys(target);
        if (keys.length === 0 || !mutate(ir, node, keys[j % keys.length], kind)) return;
        const bySchema = schemaValid(ir);
        expect(bySchema).toBe(shapeValid(ir));
        // Wrong types and unknown fields are never valid.
        if (kind === 'extra' || kind === 'retype') expect(bySchema).toBe(false);
      }),
      { numRuns: 1500, endOnFailure: true },
    );
  });

  it('with ajv, an independent JSON Schema validator (devDependency)', async () => {
    const Ajv = (await import('ajv/dist/2020.js')).default as unknown as Loose;
    const validate = new Ajv({ strict: true, allErrors: true }).compile(POLICY_IR_SCHEMA);
    expect(validate(fullIr())).toBe(true);
    fc.assert(
      fc.property(fc.gen(), fc.constantFrom<Mutation>('delete', 'extra', 'retype', 'badValue'), fc.nat(), fc.nat(), (g, kind, i, j) => {
        const ir = structuredClone(generateIr(g)) as Loose;
        expect(validate(ir)).toBe(true);
        const all = nodes(ir);
        const node = all[i % all.length];
        const target = get(ir, node.path);
        const keys = Array.isArray(target) ? target.map((_: unknown, n: number) => n) : Object.keys(target);
        if (keys.length === 0 || !mutate(ir, node, keys[j % keys.length], kind)) return;
        expect(validate(ir)).toBe(schemaValid(ir));
      }),
      { numRuns: 500, endOnFailure: true },
    );
  });
});
