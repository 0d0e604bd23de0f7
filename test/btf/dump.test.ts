/**
 * formatBtfRaw against bpftool 7.1's own raw dump of the same object, byte for byte.
 * bpftool reads the unrelocated .BTF section exactly as parseBtf does.
 */
import { describe, expect, it } from 'vitest';
import { formatBtfRaw } from '../../src/btf/dump.js';
import { parseBtf } from '../../src/btf/parse.js';
import { corpusObjects, hasTool, objectsWithBtf, probeObjects, run } from './helpers/objects.js';

const objects = objectsWithBtf([...probeObjects(), ...corpusObjects()]);

describe('formatBtfRaw equals bpftool btf dump format raw', () => {
  if (!hasTool('bpftool')) {
    console.log('SKIP: bpftool is not installed; raw dumps are not compared');
    return;
  }
  let types = 0;
  it.each(objects.map((o) => [o.obj.label, o] as const))('%s', (_label, { obj, btf }) => {
    const parsed = parseBtf(btf);
    const expected = run('bpftool', ['btf', 'dump', 'file', obj.path, 'format', 'raw']);
    expect(formatBtfRaw(parsed)).toBe(expected);
    types += parsed.types.length - 1;
  });
  it('compared a real number of objects and types', () => {
    console.log(`bpftool raw dump: ${objects.length} objects, ${types} types compared`);
    expect(objects.length).toBeGreaterThanOrEqual(8);
    expect(types).toBeGreaterThan(100);
  });
});
