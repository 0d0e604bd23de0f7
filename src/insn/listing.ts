import { LLVM19_STYLE, formatInsn, type DisasmStyle, type SymbolRef, type Symbolizer } from './disasm.js';
import type { Insn } from './types.js';

/**
 * A section listing laid out as `llvm-objdump -d [-r]` prints one section:
 *
 *     Disassembly of section tc:
 *
 *     0000000000000000 <cls>:
 *            0:	bf 16 00 00 00 00 00 00	r6 = r1
 *     		0000000000000008:  R_BPF_64_64	mymap
 *
 * Symbol choice is the caller's (the object loader knows which symbols name code); the
 * listing only lays them out.
 */

/** A symbol printed as a label line before the instruction at `slot`. */
export interface Label {
  readonly slot: number;
  readonly name: string;
}

/** A relocation line as `-r` prints it, after the instruction that holds `offset`. */
export interface RelocationLine {
  /** Byte offset within the section. */
  readonly offset: number;
  /** Type name, e.g. `R_BPF_64_64`. */
  readonly type: string;
  readonly symbol: string;
}

export interface ListingOptions {
  readonly style?: DisasmStyle;
  /**
   * Label lines. Like objdump, a section with no label at slot 0 gets one named after
   * the section.
   */
  readonly labels?: readonly Label[];
  /** Jump annotations; by default the nearest label at or before the target, as objdump does. */
  readonly symbolize?: Symbolizer;
  readonly relocations?: readonly RelocationLine[];
  /** Source lines to print (as `; text`) before the instruction at a slot. */
  readonly sourceLines?: (slot: number) => readonly string[] | undefined;
}

/**
 * The lines of a listing, without trailing newlines. `bytes` are the whole section's;
 * `insns` may be all of its instructions or a contiguous run of them (one function), in
 * which case only labels within the run are printed.
 */
export function listSection(section: string, bytes: Uint8Array, insns: readonly Insn[], options: ListingOptions = {}): readonly string[] {
  const style = options.style ?? LLVM19_STYLE;
  const allLabels = withSectionLabel(section, options.labels ?? []);
  const symbolize = options.symbolize ?? nearestLabel(allLabels);
  const first = insns.length > 0 ? insns[0].slot : 0;
  const labels = allLabels.filter((l) => l.slot >= first);
  const relocations = [...(options.relocations ?? [])].sort((a, b) => a.offset - b.offset);
  const out: string[] = [`Disassembly of section ${section}:`];
  let nextLabel = 0;
  let nextReloc = 0;
  for (const insn of insns) {
    while (nextLabel < labels.length && labels[nextLabel].slot <= insn.slot) {
      const label = labels[nextLabel++];
      out.push('', `${hex64(BigInt(label.slot) * 8n)} <${label.name}>:`);
    }
    for (const line of options.sourceLines?.(insn.slot) ?? []) out.push(`; ${line}`);
    const start = insn.slot * 8;
    const end = start + insn.slots * 8;
    const raw = Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, '0')).join(' ');
    out.push(`${String(insn.slot).padStart(8)}:\t${raw}\t${formatInsn(insn, style, symbolize)}`);
    while (nextReloc < relocations.length && relocations[nextReloc].offset < end) {
      const r = relocations[nextReloc++];
      if (r.offset >= start) out.push(`\t\t${hex64(BigInt(r.offset))}:  ${r.type}\t${r.symbol}`);
    }
  }
  return out;
}

function withSectionLabel(section: string, labels: readonly Label[]): readonly Label[] {
  const sorted = [...labels].sort((a, b) => a.slot - b.slot);
  return sorted.length > 0 && sorted[0].slot === 0 ? sorted : [{ slot: 0, name: section }, ...sorted];
}

/**
 * objdump names a target by the last symbol whose address is at or below it, comparing
 * as unsigned 64-bit; a target before the section start thus wraps to the last symbol.
 */
export function nearestLabel(labels: readonly Label[]): Symbolizer {
  const sorted = [...labels].sort((a, b) => a.slot - b.slot);
  return (targetSlot: number): SymbolRef | undefined => {
    const address = BigInt.asUintN(64, BigInt(targetSlot) * 8n);
    let best: Label | undefined;
    for (const l of sorted) if (BigInt(l.slot) * 8n <= address) best = l;
    return best === undefined ? undefined : { name: best.name, offset: targetSlot * 8 - best.slot * 8 };
  };
}

function hex64(n: bigint): string {
  return n.toString(16).padStart(16, '0');
}
