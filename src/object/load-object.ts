import { decodeLatin1 } from '../bytes.js';
import { readElf, sectionByName } from '../elf/read-elf.js';
import type { ElfFile } from '../elf/types.js';
import { compareText } from '../order.js';
import { collectCode } from './collect-code.js';
import { collectDataSections, collectGlobals } from './collect-globals.js';
import { collectMaps } from './collect-maps.js';
import { readDebugInfo } from './read-debug-info.js';
import type { BpfExtern, BpfObject } from './types.js';

/**
 * Reads an eBPF object file into plain data. Every malformed input ends in a
 * Bpf2pfError with a code; nothing later needs the bytes again.
 *
 * The passes run in dependency order: ELF container, then BTF (types, lines), then
 * maps and globals (which instructions refer to), then code.
 */
export function loadObject(bytes: Uint8Array): BpfObject {
  const elf = readElf(bytes);
  const { btf, btfExt } = readDebugInfo(elf);
  const maps = collectMaps(elf, btf);
  const dataSections = collectDataSections(elf);
  const globals = collectGlobals(elf, btf, dataSections);
  const code = collectCode({ elf, maps, dataSections, globals }, btfExt);
  const functions = [...code.programs, ...code.subprograms];
  return {
    littleEndian: elf.header.littleEndian,
    sections: elf.sections.slice(1).map((s) => ({ index: s.index, name: s.name, type: s.type, flags: s.flags, size: s.size })),
    code: [...new Set(functions.map((f) => f.sectionIndex))]
      .sort((a, b) => a - b)
      .map((i) => ({ index: i, name: elf.sections[i].name, bytes: elf.sections[i].data })),
    license: licenseOf(elf),
    programs: code.programs,
    subprograms: code.subprograms,
    maps,
    globals,
    dataSections,
    externs: externsOf(functions.flatMap((f) => f.references)),
    sourceFiles: code.sourceFiles,
    btf,
    btfExt,
    schemaSource: btf ? 'btf' : 'none',
  };
}

function licenseOf(elf: ElfFile): string | undefined {
  const s = sectionByName(elf, 'license');
  if (!s) return undefined;
  const end = s.data.indexOf(0);
  return decodeLatin1(end < 0 ? s.data : s.data.subarray(0, end));
}

function externsOf(refs: readonly { kind: string; name?: string }[]): BpfExtern[] {
  const out = new Map<string, BpfExtern>();
  for (const r of refs) {
    if ((r.kind === 'kfunc' || r.kind === 'ksym') && r.name) out.set(r.name, { name: r.name, kind: r.kind });
  }
  return [...out.values()].sort((a, b) => compareText(a.name, b.name));
}
