/**
 * What the classic BPF assembly grammar produces: one record per source line, with
 * positions, and nothing resolved yet. src/cbpf/assemble.ts turns these into
 * instructions (mnemonics, label and target resolution, ranges).
 */

export interface SourcePos {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** A number as written; `value` may be out of any field's range until it is checked. */
export interface NumberLit {
  readonly text: string;
  readonly value: number;
  readonly pos: SourcePos;
}

export interface Word {
  readonly name: string;
  readonly pos: SourcePos;
}

/** The operand of a mnemonic line, in the shapes tcpdump -d prints. */
export type AsmOperand =
  | { readonly kind: 'none' }
  | { readonly kind: 'imm'; readonly value: NumberLit } // #0x800, #-1
  | { readonly kind: 'imm-word'; readonly word: Word } // #pktlen, #len
  | { readonly kind: 'abs'; readonly offset: NumberLit } // [12]
  | { readonly kind: 'abs-word'; readonly word: Word } // [proto] (a Linux ancillary load)
  | { readonly kind: 'ind'; readonly register: Word; readonly offset?: NumberLit } // [x + 14], [x]
  | { readonly kind: 'mem'; readonly bank: Word; readonly index: NumberLit } // M[3]
  | { readonly kind: 'msh'; readonly scale: NumberLit; readonly offset: NumberLit; readonly mask: NumberLit } // 4*([14]&0xf)
  | { readonly kind: 'word'; readonly word: Word } // x, a, or a label (ja L1)
  | { readonly kind: 'number'; readonly value: NumberLit }; // ja 12 (absolute), unimp 0x81

/** A jump target: an absolute instruction index, as tcpdump prints, or a label. */
export type AsmTarget =
  | { readonly kind: 'index'; readonly value: NumberLit }
  | { readonly kind: 'label'; readonly word: Word };

export interface AsmInstruction {
  readonly mnemonic: Word;
  readonly operand: AsmOperand;
  readonly jt?: AsmTarget;
  readonly jf?: AsmTarget;
}

/** `(NNN) label: mnemonic operand jt T jf F`, every part optional. */
export interface AsmLine {
  readonly kind: 'asm';
  readonly pos: SourcePos;
  readonly index?: NumberLit;
  readonly label?: Word;
  readonly instruction?: AsmInstruction;
}

/** A -dd line `{ code, jt, jf, k },` or a -ddd line `code jt jf k` (or its count line). */
export interface NumericLine {
  readonly kind: 'numeric';
  readonly pos: SourcePos;
  readonly numbers: readonly NumberLit[];
}

/** The three forms tcpdump dumps a program in. */
export type AsmForm = 'mnemonic' | 'dd' | 'ddd';

export interface AsmText {
  readonly form: AsmForm;
  /** Non-blank lines only, in order. */
  readonly lines: readonly (AsmLine | NumericLine)[];
}
