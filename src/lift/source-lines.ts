import type { FindingSource, IrRule } from '../ir/types.js';
import type { BpfObject, SourceLine } from '../object/types.js';
import type { SlotRef } from './types.js';

/**
 * Source lines of instructions, from the object's BTF line info, for provenance and
 * findings. A finding carries the line's text as well as its number: `bpf2pf check`
 * identifies findings by text, so an edit above a finding does not make it new.
 */

/** The line info record covering a slot: the last one at or before it in its section. */
export function lineAt(obj: BpfObject, slot: SlotRef): SourceLine | null {
  return lineIndex(obj)(slot);
}

/**
 * `lineAt` for many slots of one object: each section's records sorted once, found by
 * binary search (provenance asks for every slot of every rule). Of records at one slot,
 * the first (programs before subprograms, in line info order) covers it.
 */
export function lineIndex(obj: BpfObject): (slot: SlotRef) => SourceLine | null {
  const bySection = new Map<string, SourceLine[]>();
  for (const fn of [...obj.programs, ...obj.subprograms]) {
    let list = bySection.get(fn.section);
    if (!list) bySection.set(fn.section, (list = []));
    list.push(...fn.lines);
  }
  for (const [section, list] of bySection) {
    // Stable: equal slots keep their order, and only the first of them is kept.
    list.sort((a, b) => a.slot - b.slot);
    bySection.set(section, list.filter((l, i) => i === 0 || list[i - 1].slot !== l.slot));
  }
  return (slot) => {
    const list = bySection.get(slot.section);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    let best: SourceLine | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].slot <= slot.slot) {
        best = list[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };
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

/** A finding's source for a rule: its first provenance line, with the line's text. */
export function ruleSource(rule: IrRule, objectOf: (path: string) => BpfObject | undefined): FindingSource | null {
  const p = rule.provenance[0];
  return p?.sources[0] ? withLineText(objectOf(p.object), p.sources[0]) : null;
}

/** Whitespace runs as one space, none at the ends: reindenting a line does not change it. */
function lineText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
