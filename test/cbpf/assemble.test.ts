import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import type { RawInsn } from '../../src/cbpf/types.js';
import { isBpf2pfError } from '../../src/errors.js';

// The assembler's own conveniences (labels, aliases, comments, the numeric forms) and
// its errors. Expected encodings are written from the opcode table (reference §3.2).

const raw = (text: string): [number, number, number, number][] => assembleCbpf(text).map((i: RawInsn) => [i.code, i.jt, i.jf, i.k]);

function error(text: string): string {
  try {
    assembleCbpf(text);
  } catch (e) {
    if (isBpf2pfError(e)) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'assembled';
}

describe('cBPF assembler', () => {
  it('labels stand for absolute targets', () => {
    expect(raw('start: ldh [12]\n jeq #0x800 jt ok jf no\nok: ret #-1\nno:\n ret #0')).toEqual([
      [0x28, 0, 0, 12], [0x15, 0, 1, 0x800], [0x06, 0, 0, 0xffffffff], [0x06, 0, 0, 0],
    ]);
    expect(raw('jmp end\nret #1\nend: ret #2')).toEqual([[0x05, 0, 0, 1], [0x06, 0, 0, 1], [0x06, 0, 0, 2]]);
  });

  it('aliases, case and comments', () => {
    expect(raw([
      'ld #len ; the wire length', 'ldx #len', 'LDH [X + 2] // upper case', 'ldb [x]', 'ldx 4*([14]&0xf)',
      'ld [proto]', 'ldh [vlan_tci]', 'txa', 'st m[2]', 'ret a', 'ret', 'ld #2048', 'add #0x10', 'ret #4294967295',
    ].join('\n'))).toEqual([
      [0x80, 0, 0, 0], [0x81, 0, 0, 0], [0x48, 0, 0, 2], [0x50, 0, 0, 0], [0xb1, 0, 0, 14],
      [0x20, 0, 0, 0xfffff000], [0x28, 0, 0, 0xfffff02c], [0x87, 0, 0, 0], [0x02, 0, 0, 2], [0x16, 0, 0, 0], [0x16, 0, 0, 0],
      [0x00, 0, 0, 2048], [0x04, 0, 0, 16], [0x06, 0, 0, 0xffffffff],
    ]);
  });

  it('the numeric forms, with decimal or hex fields and optional commas', () => {
    expect(raw('{ 40, 0, 0, 12 }\n{ 0x6, 0, 0, 0x40000 },')).toEqual([[40, 0, 0, 12], [6, 0, 0, 0x40000]]);
    expect(raw('2\n40 0 0 12\n6 0 0 0\n')).toEqual([[40, 0, 0, 12], [6, 0, 0, 0]]);
    expect(raw('0\n')).toEqual([]);
    expect(raw('')).toEqual([]);
  });

  it('errors carry line:col and say what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['ldh [12]\n(002) ret #0', /^CBPF_SYNTAX line 2:2: the prefix says \(002\) but this is instruction 1$/],
      ['ldh [12]\nfrob #1', /^CBPF_SYNTAX line 2:1: unknown mnemonic 'frob'$/],
      ['ldh #1\nret #0', /^CBPF_SYNTAX line 1:6: ldh does not take an immediate/],
      ['ld #0\njeq #1 jt 0 jf 2\nret #0', /^CBPF_SYNTAX line 2:11: jt target 0 is -2 .*forward$/],
      ['jeq #1 jt 300 jf 1', /^CBPF_SYNTAX line 1:11: jt target 300 is 299 /],
      ['jeq #1 jt 1', /^CBPF_SYNTAX line 1:12: expected 'jf', found end of line$/],
      ['ret #0 jt 1 jf 1', /^CBPF_SYNTAX line 1:11: ret takes no jt\/jf targets$/],
      ['3\n6 0 0 0', /^CBPF_SYNTAX line 1:1: the count says 3 instructions but 1 follow$/],
      ['1\n6 0 0', /^CBPF_SYNTAX line 2:1: expected 4 numbers/],
      ['1\n6 0 256 0', /^CBPF_SYNTAX line 2:5: jf 256 is outside 0\.\.255$/],
      ['ja nowhere\nret #0', /^CBPF_SYNTAX line 1:4: no label named nowhere$/],
      ['a: ret #0\na: ret #1', /^CBPF_SYNTAX line 2:1: label a is defined twice$/],
      ['ld #0x100000000', /^CBPF_SYNTAX line 1:5: the value 0x100000000 is outside/],
      ['ldxb 4*([14]&0xff)', /^CBPF_SYNTAX line 1:6: the only indexed form is 4\*\(\[k\]&0xf\)$/],
      ['ldh [y + 1]', /^CBPF_SYNTAX line 1:6: expected x, found 'y'$/],
      ['ld [nosuch]', /^CBPF_SYNTAX line 1:5: \[nosuch\] is not a Linux ancillary load$/],
      ['ret #0\n{ 6, 0, 0, 0 }', /^CBPF_SYNTAX line 2:1: unexpected '\{'$/],
      ['ret #0 $', /^CBPF_SYNTAX line 1:8: unexpected '\$'$/],
    ];
    for (const [text, re] of cases) expect(error(text), text).toMatch(re);
  });
});
