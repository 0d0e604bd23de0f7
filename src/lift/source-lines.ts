import type { FindingSource } from '../ir/types.js';
import type { BpfObject, SourceLine } from '../object/types.js';
import type { SlotRef } from './types.js';

/**
 * Source lines of instructions, from the object's BTF line info, for provenance and
 * findings. A finding carries the line's text as well as its number: `bpf2pf check`
 * identifies findings by text, so an edit above a finding does not make it new.
 */

/** The line info record covering a slot: the last one at or before it in its section. */
export function lineAt(obj: BpfObject, slot: SlotRef): SourceLine | null {
  let best: SourceLine | null = null;
  for (const fn of [...obj.programs, ...obj.subprograms]) {
    if (fn.section !== slot.section) continue;
    for (const l of fn.lines) if (l.slot <= slot.slot && l.slot > (best?.slot ?? -1)) best = l;
  }
  return best;
}

/** A finding's source for a slot: its line, with the line's text. */
export function sourceAt(obj: BpfObject, slot: SlotRef): FindingSource | null {
  const l = lineAt(obj, slot);
  return l && { file: l.file, line: l.line, text: lineText(l.text) };
}

/** A provenance line (file and number) with its text, or "" when the object has none. */
export function withLineText(obj: BpfObject | undefined, src: { readonly file: string; readonly line: number }): FindingSource {
  for (const fn of obj ? [...obj.programs, ...obj.subprograms] : []) {
    const hit = fn.lines.find((l) => l.file === src.file && l.line === src.line);
    if (hit) return { file: src.file, line: src.line, text: lineText(hit.text) };
  }
  return { file: src.file, line: src.line, text: '' };
}

/** Whitespace runs as one space, none at the ends: reindenting a line does not change it. */
function lineText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
