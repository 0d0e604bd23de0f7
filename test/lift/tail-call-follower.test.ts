import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tailCallFollower, tailCallTargets } from '../../src/lift/lift-object.js';
import { loadObject } from '../../src/object/load-object.js';

/**
 * The tail-call follower probes a stage when a lift first asks about it. Its verdicts must
 * not depend on that order: a probe follows no tail calls of its own.
 */
const OBJECTS = [
  'corpus/coppice/mvmtap.o',
  'corpus/coppice/nodenic.o',
  'corpus/idioms/obj/tail_call_chain.bpfel.o',
  'corpus/idioms/obj/tail_call_chain.bpfeb.o',
  'corpus/idioms/obj/cb_tailcall_handoff.bpfel.o',
];

const load = (file: string) => loadObject(new Uint8Array(readFileSync(file)));

describe('tailCallFollower', () => {
  for (const file of OBJECTS) {
    it(`gives every stage of ${file} the same verdict whatever order the stages are asked in`, () => {
      const obj = load(file);
      const targets = [...tailCallTargets(obj)].sort();
      expect(targets.length).toBeGreaterThan(0);
      const forward = tailCallFollower(obj);
      const backward = tailCallFollower(obj);
      const a = targets.map((t) => [t, forward(t)] as const);
      const b = [...targets].reverse().map((t) => [t, backward(t)] as const).reverse();
      expect(b).toEqual(a);
      // Asked again, the memoised verdict is the same object.
      for (const t of targets) expect(forward(t)).toBe(forward(t));
    });
  }

  it('follows the Coppice stages it can lift and names why it stops at the others', () => {
    const cube = tailCallFollower(load('corpus/coppice/mvmtap.o'));
    const world = tailCallFollower(load('corpus/coppice/nodenic.o'));
    expect(cube('cube_dns_hdr')).toBeUndefined();
    expect(world('world_dns_hdr')).toBeUndefined();
    expect(cube('cube_dns_name')?.why).toMatch(/^cube_dns_name cannot be lifted: it runs longer than the lifter follows \(a loop over packet data/);
    expect(cube('cube_dns_name')?.stuckAt).toBeDefined();
    expect(world('world_dns_question')?.why).toMatch(/^world_dns_question cannot be lifted: it reads or writes memory at an address the lifter cannot follow/);
    expect(world('world_dns_answers')?.why).toMatch(/^world_dns_answers cannot be lifted: it runs longer than the lifter follows \(more instructions than its budget\)/);
  });

  it('follows a call into a program no PROG_ARRAY of the object holds from the start', () => {
    const follow = tailCallFollower(load('corpus/coppice/nodenic.o'));
    expect(follow('from_world')).toBeUndefined();
    expect(follow('no_such_program')).toBeUndefined();
  });
});
