import elfy from 'elfy';
import { ByteWindow } from '../bytes.js';
import { fail, isBpf2pfError } from '../errors.js';
import type { ElfSection } from './types.js';

/**
 * Section headers through elfy, corrected where elfy is wrong. Checked field by field
 * against llvm-readelf (test/elf/elf-vs-readelf.test.ts); what elfy 1.0.0 gets wrong:
 *
 * - ELF64 sh_addralign and sh_entsize are read at offsets 46 and 54 instead of 48 and
 *   56, so both come out as garbage: we read them ourselves.
 * - sh_flags comes back as a set of names with unknown bits as numbers; we read the
 *   number ourselves rather than re-encode that set.
 * - e_machine 247 (EM_BPF) is not in its table (undefined): read by the caller.
 * - 64-bit fields are summed as doubles, exact only below 2^53; fine for offsets, and
 *   values above that fail our own range checks anyway.
 * - `data` for SHT_NOBITS is whatever file bytes follow sh_offset, and any section
 *   past the end of the file is silently cut short by Buffer.slice: both are ignored
 *   here, and ranges are checked by read-elf.ts.
 * - It throws plain Errors and AssertionErrors (a section-name table that is not
 *   SHT_STRTAB): mapped to typed errors below.
 *
 * What elfy gets right and we use: sh_name resolved to a string, sh_type, sh_offset,
 * sh_size, sh_link, sh_info and sh_addr.
 */
/** A section header as read, before its bytes are attached (see read-elf.ts). */
export type RawSectionHeader = Omit<ElfSection, 'index' | 'data'> & { readonly nameOffset: number };

interface ElfySection {
  name: string;
  type: string | number;
  off: number;
  size: number;
  link: number;
  info: number;
  addr: number;
}

const SECTION_HEADER_SIZE = 64;

/** Numeric sh_type for elfy's names; elfy keeps unknown types as numbers. */
const ELFY_TYPE_NUMBERS: Record<string, number> = {
  null: 0, progbits: 1, symtab: 2, strtab: 3, rela: 4, hash: 5, dynamic: 6, note: 7,
  nobits: 8, rel: 9, shlib: 10, dynsym: 11, init_array: 14, fini_array: 15,
  preinit_array: 16, group: 17, symtab_shndx: 18,
};

export function readSectionHeaders(file: ByteWindow, shoff: number, shnum: number): RawSectionHeader[] {
  let parsed: { body: { sections: ElfySection[] } };
  try {
    parsed = elfy.parse(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  } catch (e) {
    if (isBpf2pfError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/slice chunks/.test(msg)) fail('ELF_TRUNCATED', 'a header table runs past the end of the file');
    if (/strtab|equal/i.test(msg)) fail('ELF_BAD_INDEX', 'the section-name table (e_shstrndx) is not a string table');
    fail('ELF_BAD_HEADER', `unreadable ELF headers (${msg})`);
  }
  const sections = parsed.body.sections;
  if (sections.length !== shnum) fail('ELF_BAD_HEADER', `elfy read ${sections.length} section headers, the header says ${shnum}`);
  return sections.map((s, i) => {
    const at = shoff + i * SECTION_HEADER_SIZE;
    const hdr = file.slice(at, SECTION_HEADER_SIZE, `section header ${i}`, 'ELF_TRUNCATED');
    const type = typeof s.type === 'number' ? s.type : ELFY_TYPE_NUMBERS[s.type] ?? hdr.u32(4);
    return {
      name: s.name,
      nameOffset: hdr.u32(0),
      type,
      flags: hdr.u64AsNumber(8, 'sh_flags'),
      addr: s.addr,
      offset: s.off,
      size: s.size,
      link: s.link,
      info: s.info,
      addralign: hdr.u64AsNumber(48, 'sh_addralign'),
      entsize: hdr.u64AsNumber(56, 'sh_entsize'),
    };
  });
}
