/**
 * The committed helper table against libbpf's bpf_helper_defs.h (a peer list of ids and
 * names), and against its own source list through the generator's --check mode.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELPERS, helperAvailableIn, helperInfo, helperName } from '../../src/insn/helper-names.js';
import { REPO } from './probe-build.js';

const HELPER_DEFS = '/usr/include/bpf/bpf_helper_defs.h';
const REFERENCE = join(REPO, '../shared/reference/helpers.txt');

describe('helper names', () => {
  it('numbers helpers 1..211 in order', () => {
    expect(HELPERS).toHaveLength(211);
    HELPERS.forEach((h, i) => expect(h.id).toBe(i + 1));
    expect(helperName(0)).toBeUndefined();
    expect(helperName(212)).toBeUndefined();
    expect(helperName(1.5)).toBeUndefined();
  });

  it.skipIf(!existsSync(HELPER_DEFS))('agrees with libbpf bpf_helper_defs.h on every id it declares', () => {
    const defs = readFileSync(HELPER_DEFS, 'utf8');
    const declared = [...defs.matchAll(/\(\*bpf_([a-z0-9_]+)\)\([^;]*?\) = \(void \*\) (\d+);/g)].map((m) => [Number(m[2]), m[1]] as const);
    expect(declared.length).toBeGreaterThan(150);
    for (const [id, name] of declared) expect(helperName(id), `helper ${id}`).toBe(name);
  });
  if (!existsSync(HELPER_DEFS)) console.log(`SKIP: ${HELPER_DEFS} not installed; helper names not compared with libbpf`);

  it('keeps tc/xdp availability', () => {
    expect(helperInfo(12)).toEqual({ id: 12, name: 'tail_call', tc: 'available', xdp: 'available' });
    expect(helperAvailableIn(51, 'tc')).toBe(false); // redirect_map is XDP only
    expect(helperAvailableIn(51, 'xdp')).toBe(true);
    expect(helperAvailableIn(44, 'tc')).toBe(false); // xdp_adjust_head
    expect(helperAvailableIn(9, 'xdp')).toBe(false); // skb_store_bytes
    expect(helperAvailableIn(999, 'tc')).toBeUndefined();
  });

  it.skipIf(!existsSync(REFERENCE))('is what the generator makes from reference/helpers.txt', () => {
    execFileSync('node', [join(REPO, 'scripts/gen-helper-names.mjs'), '--check', REFERENCE]);
  });
  if (!existsSync(REFERENCE)) console.log(`SKIP: ${REFERENCE} not present; generator output not re-checked`);
});
