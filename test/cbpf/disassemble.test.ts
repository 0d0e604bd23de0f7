import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { formatInsnLine } from '../../src/cbpf/disassemble.js';
import { classify, VALID_CODES, withUnusedFieldsCleared } from '../../src/cbpf/opcodes.js';
import type { CbpfInsn, RawInsn } from '../../src/cbpf/types.js';
import { skipLine } from '../support/tools.js';
import { makeRandom } from './frames.js';
import { hasHarness, runPeers } from './peer.js';

// Every opcode, with k values at the edges (signed and unsigned printing, Linux's
// ancillary offsets), printed by libpcap's own bpf_image through the harness. Our
// disassembly must be the same text, and must assemble back to the same instruction.

const raw = ({ code, jt, jf, k }: RawInsn): RawInsn => ({ code, jt, jf, k });

const K_VALUES = [0, 1, 12, 15, 16, 255, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xfffff000, 0xfffff02c, 0xfffff040, 0xfff00000];

function instructions(): RawInsn[] {
  const rng = makeRandom(7);
  const out: RawInsn[] = [];
  for (const code of VALID_CODES) {
    for (const k of K_VALUES) out.push({ code, jt: Math.floor(rng() * 256), jf: Math.floor(rng() * 256), k });
    for (let i = 0; i < 5; i++) out.push({ code, jt: Math.floor(rng() * 256), jf: Math.floor(rng() * 256), k: Math.floor(rng() * 2 ** 32) });
  }
  // codes outside the 49: a sample below 0x100 and some above
  for (let code = 0; code < 0x100; code++) if (!VALID_CODES.includes(code)) out.push({ code, jt: 1, jf: 2, k: 3 });
  for (const code of [0x100, 0x106, 0x115, 0x155, 0x1234, 0xfff5, 0xffff]) out.push({ code, jt: 4, jf: 9, k: 7 });
  return out;
}

describe('disassembly against libpcap bpf_image', () => {
  it('prints every opcode as libpcap does, and assembles back', () => {
    if (!hasHarness()) return skipLine('cbpf disassembly', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const raws = instructions();
    // bpf_image's targets depend on the index, so the same list also runs at 997 onwards.
    const padded = [...new Array<RawInsn>(997).fill({ code: 6, jt: 0, jf: 0, k: 0 }), ...raws.slice(0, 200)];
    for (const prog of [raws, padded]) {
      const [peer] = runPeers([{ prog, image: true }]);
      let same = 0;
      prog.forEach((r, i) => {
        const insn: CbpfInsn = classify(r);
        const ours = formatInsnLine(insn, i);
        if (r.code === 0x81) {
          // The one deliberate difference: 1.10.3 has no text for ldx #pktlen.
          expect(peer.image[i]).toBe(`(${String(i).padStart(3, '0')}) unimp    0x81`);
          expect(ours).toBe(`(${String(i).padStart(3, '0')}) ldx      #pktlen`);
        } else {
          expect(ours, `code 0x${r.code.toString(16)} k ${r.k}`).toBe(peer.image[i]);
          same++;
        }
      });
      expect(same).toBeGreaterThan(prog.length / 2);
      // Our listing assembles back: unknown codes keep only the code, and the fields an
      // instruction ignores are not printed.
      const back = assembleCbpf(prog.map((r, i) => formatInsnLine(classify(r), i)).join('\n'));
      back.forEach((b, i) => {
        const insn = classify(prog[i]);
        if (insn.kind === 'unknown') expect(b).toEqual(classify({ ...raw(insn), k: 0, ...(/jt/.test(formatInsnLine(insn, i)) ? {} : { jt: 0, jf: 0 }) }));
        else expect(b).toEqual(withUnusedFieldsCleared(insn));
      });
    }
  });
});
