/**
 * The name validators and quoting of src/ir/names.ts, by property: no string with a
 * character outside a class's allowed set is ever accepted, and every accepted string
 * reads back through the pf parser as the same token. The allowed sets are written out
 * here from the documented rules, not taken from the implementation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { assertName, commentText, fitName, isQuotable, isValidName, nameProblem, quote, type NameClass } from '../../src/ir/names.js';
import { parsePf, type PfStatement } from '../../src/pf/index.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

/** Allowed characters (first and rest) and maximum length of each class. */
const RULES: Readonly<Record<NameClass, { first: string; rest: string; max: number }>> = {
  macro: { first: `${LETTERS}_`, rest: `${LETTERS}${DIGITS}_`, max: 63 },
  table: { first: `${LETTERS}_`, rest: `${LETTERS}${DIGITS}_`, max: 31 },
  anchor: { first: `${LETTERS}${DIGITS}`, rest: `${LETTERS}${DIGITS}_.-`, max: 63 },
  tag: { first: `${LETTERS}${DIGITS}_`, rest: `${LETTERS}${DIGITS}_.-`, max: 63 },
  interface: { first: LETTERS, rest: `${LETTERS}${DIGITS}_.-`, max: 15 },
  label: { first: PRINTABLE.replace(/["\\$#`]/g, ''), rest: PRINTABLE.replace(/["\\$#`]/g, ''), max: 63 },
};
const CLASSES = Object.keys(RULES) as NameClass[];

function allowed(cls: NameClass, s: string): boolean {
  const r = RULES[cls];
  return s.length >= 1 && s.length <= r.max && r.first.includes(s[0]) && [...s.slice(1)].every((c) => r.rest.includes(c));
}

/** Strings of the class's alphabet (valid shape, any length up to a little over the limit). */
function shaped(cls: NameClass): fc.Arbitrary<string> {
  const r = RULES[cls];
  return fc.tuple(fc.constantFrom(...r.first), fc.array(fc.constantFrom(...r.rest), { maxLength: r.max + 4 })).map(([a, b]) => a + b.join(''));
}

/** Anything: unicode, controls, quotes, the pf specials. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.string({ unit: fc.constantFrom(...`${LETTERS}${DIGITS}_.-"\\$#\`{}<>()!=,/ \n\r\t'`), maxLength: 70 }),
);

function statementsOf(text: string): PfStatement[] {
  return [...parsePf(text).statements];
}

/** Reads an accepted name back from pf text in the place its class is used. */
function readBack(cls: NameClass, s: string): string[] {
  switch (cls) {
    case 'macro': {
      const [def, rule] = statementsOf(`${s} = "vtnet0"\npass in on $${s} all\n`);
      // The reference must expand to the value: it names the same macro.
      const expanded = rule.kind === 'filter' && rule.on?.names[0] === 'vtnet0';
      return [def.kind === 'macro' ? def.name : '', expanded ? s : `$${s} not expanded`];
    }
    case 'table': {
      const [def, rule] = statementsOf(`table <${s}> persist\npass in from <${s}> to any\n`);
      const host = rule.kind === 'filter' ? rule.from.hosts[0]?.address : undefined;
      return [def.kind === 'table' ? def.name : '', host?.kind === 'table' ? host.name : ''];
    }
    case 'anchor': {
      const [a] = statementsOf(`anchor ${quote(`${s}/${s}`)}\n`);
      return a.kind === 'anchor' ? a.name.split('/') : [];
    }
    case 'tag': {
      const [r] = statementsOf(`pass in all tagged ${quote(s)} tag ${quote(s)}\n`);
      return r.kind === 'filter' ? [r.options.tag ?? '', r.options.tagged?.tag ?? ''] : [];
    }
    case 'interface': {
      const [, r1, r2] = statementsOf(`x = ${quote(s)}\npass in on $x all\npass out on ${s} route-to (${s} 192.0.2.1) all\n`);
      return [r1, r2].flatMap((r) => (r.kind === 'filter' ? [r.on?.names[0] ?? '', ...(r.route ? [r.route.hosts[0].interface] : [])] : []));
    }
    case 'label': {
      const [r] = statementsOf(`pass in all label ${quote(s)}\n`);
      return r.kind === 'filter' ? [...r.options.labels] : [];
    }
  }
}

describe('name validators', () => {
  for (const cls of CLASSES) {
    it(`${cls}: accepts nothing outside its characters and length`, () => {
      fc.assert(fc.property(anyString, (s) => {
        if (isValidName(cls, s)) expect(allowed(cls, s), JSON.stringify(s)).toBe(true);
      }), { numRuns: 2000 });
    });

    it(`${cls}: a forbidden character anywhere is refused`, () => {
      const bad = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !RULES[cls].rest.includes(c));
      fc.assert(fc.property(shaped(cls), bad, fc.nat(), (s, c, at) => {
        const i = at % (s.length + 1);
        const t = s.slice(0, i) + c + s.slice(i);
        expect(isValidName(cls, t)).toBe(false);
        expect(() => assertName(cls, t, 'test')).toThrowError(expect.objectContaining({ code: 'EMIT_BAD_NAME' }));
      }), { numRuns: 500 });
    });

    it(`${cls}: every accepted name reads back as itself`, () => {
      fc.assert(fc.property(shaped(cls).filter((s) => isValidName(cls, s)), (s) => {
        for (const got of readBack(cls, s)) expect(got).toBe(s);
      }), { numRuns: 300 });
    });

    it(`${cls}: fitName always gives a valid name, and leaves valid ones alone`, () => {
      fc.assert(fc.property(anyString, (raw) => {
        const n = fitName(cls, raw);
        expect(isValidName(cls, n), `${JSON.stringify(raw)} -> ${JSON.stringify(n)}`).toBe(true);
        if (isValidName(cls, raw)) expect(n).toBe(raw);
      }), { numRuns: 500 });
    });
  }

  it('refuses pf reserved words where they would change a rule', () => {
    for (const w of ['any', 'all', 'self', 'pass', 'inet6', 'table', 'no-route', 'urpf-failed', 'tag']) {
      expect(nameProblem('interface', w) ?? '').toMatch(/reserved/);
      expect(nameProblem('macro', w.replace(/-/g, '_')) === null || !w.includes('-')).toBe(true);
    }
    expect(nameProblem('table', 'pass')).toMatch(/reserved/);
    expect(nameProblem('anchor', '_private')).not.toBeNull();
    expect(nameProblem('anchor', '..')).not.toBeNull();
    expect(nameProblem('table', 'a'.repeat(32))).toMatch(/31/);
    expect(nameProblem('interface', 'vtnet0'.padEnd(16, '0'))).toMatch(/15/);
  });

  it('fitName keeps different inputs apart', () => {
    expect(fitName('table', 'deny-out')).not.toBe(fitName('table', 'deny.out'));
    expect(fitName('table', 'a_very_long_map_name_from_the_object_file_v1')).not.toBe(fitName('table', 'a_very_long_map_name_from_the_object_file_v2'));
  });
});

describe('quote', () => {
  it('accepts exactly the quotable characters, and reads back unchanged', () => {
    fc.assert(fc.property(anyString, (s) => {
      const ok = [...s].every((c) => RULES.label.rest.includes(c));
      expect(isQuotable(s)).toBe(ok);
      if (!ok) {
        let code = '';
        try {
          quote(s);
        } catch (e) {
          code = isBpf2pfError(e) ? e.code : 'other';
        }
        expect(code).toBe('EMIT_BAD_NAME');
        return;
      }
      const [r] = statementsOf(`pass in all label ${quote(s)}\n`);
      expect(r.kind === 'filter' ? r.options.labels : []).toEqual([s]);
    }), { numRuns: 2000 });
  });
});

describe('commentText', () => {
  it('keeps any text on one comment line that ends the way it should', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
      const c = commentText(s);
      expect(/^[\x20-\x7e]*$/.test(c)).toBe(true);
      expect(c.includes('\\')).toBe(false);
      // The comment swallows nothing: the next line is still a rule.
      const st = statementsOf(`# ${c}\npass in all\n`);
      expect(st).toHaveLength(1);
      expect(st[0].kind).toBe('filter');
    }), { numRuns: 1000 });
  });

  it('leaves plain text alone and encodes the rest', () => {
    expect(commentText('rule from_cube.3: allowed')).toBe('rule from_cube.3: allowed');
    expect(commentText('a\nb\\')).toBe('a%0Ab%5C');
    expect(commentText('100%')).toBe('100%25');
  });
});
