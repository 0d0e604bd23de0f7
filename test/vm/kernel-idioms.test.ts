import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { isPacketProgram } from '../../src/object/program-types.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';
import { skipLine } from '../support/tools.js';
import { objectPair } from './support/compare.js';
import { standardFrames } from './support/frames.js';
import { genericState } from './support/state.js';
import { kernelProbeUnavailable } from './support/kernel-probe.js';

/**
 * The idiom corpus (bpfel builds) against the kernel on the standard frames, with maps as
 * loaded and with a small generated population: verdicts, output packets, ctx and every map after each run must agree, bytes
 * that came from a clock compared by presence. Objects libbpf will not load (legacy map
 * sections) and objects with pinned maps (they would pin into the global bpffs) are
 * skipped with a line saying so. This is a cheap forerunner of the lead's differential
 * test, not a replacement.
 */
const why = kernelProbeUnavailable();
const idioms = corpusObjects().filter((f) => f.includes('/idioms/') && f.endsWith('.bpfel.o'));

describe.skipIf(why !== undefined)('idiom programs match the kernel on the standard frames', () => {
  for (const file of idioms) {
    it(file.split('/').pop() ?? file, () => {
      const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, file))));
      if (obj.maps.some((m) => m.pinning !== 0) || obj.maps.some((m) => m.form !== 'btf')) {
        skipLine(file, 'pinned or legacy maps: not loaded with bpftool here');
        return;
      }
      for (const populated of [false, true]) {
        const pair = objectPair(join(repoRoot, file), populated ? genericState : undefined);
        try {
          for (const p of obj.programs.filter((x) => isPacketProgram(x.kind.type))) {
            for (const f of standardFrames()) {
              const diffs = pair.compare({ program: p.name, packet: f.packet, label: `${p.name} ${f.name}${populated ? ' populated' : ''}` });
              expect(diffs).toEqual([]);
            }
          }
        } finally {
          pair.close();
        }
      }
    });
  }
});

if (why !== undefined) skipLine('kernel idiom cross-check', why);
