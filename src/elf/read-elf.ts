import { ByteWindow } from '../bytes.js';
import { fail } from '../errors.js';
import { readSectionHeaders, type RawSectionHeader } from './elfy-adapter.js';
import { readRelocationSections } from './relocations.js';
import { readSymbols } from './symbols.js';
import { EM_BPF, ET_REL, SHT, type ElfFile, type ElfHeader, type ElfSection } from './types.js';

const EHDR_SIZE = 64;
const SECTION_HEADER_SIZE = 64;

/**
 * Reads an ELF64 eBPF relocatable object. Everything a later phase needs is checked
 * here once: header identity, the section table inside the file, every section's bytes
 * inside the file, names inside their string table, the symbol table and relocations.
 */
export function readElf(bytes: Uint8Array): ElfFile {
  const header = readHeader(bytes);
  const file = new ByteWindow(bytes, header.littleEndian, 'ELF file', 'ELF_TRUNCATED');
  const raw = readSectionHeaders(file, header.shoff, header.shnum);
  const sections = raw.map((h, i) => toSection(h, i, bytes));
  checkSectionNames(raw, sections, header.shstrndx);
  const symbols = readSymbols(sections, header.littleEndian);
  const relocations = readRelocationSections(sections, symbols.length, header.littleEndian);
  return { header, sections, symbols, relocations };
}

function readHeader(bytes: Uint8Array): ElfHeader {
  const magic = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  if (!magic) fail('ELF_NOT_ELF', 'not an ELF file (no \\x7fELF magic)');
  if (bytes.length < 16) fail('ELF_TRUNCATED', `file is ${bytes.length} bytes, shorter than the ELF identification`);
  if (bytes[4] === 1) fail('ELF_UNSUPPORTED_CLASS', 'ELF32 object: eBPF objects are ELF64');
  if (bytes[4] !== 2) fail('ELF_UNSUPPORTED_CLASS', `invalid ELF class ${bytes[4]}`);
  if (bytes[5] !== 1 && bytes[5] !== 2) fail('ELF_BAD_ENCODING', `invalid ELF data encoding ${bytes[5]}`);
  const littleEndian = bytes[5] === 1;
  if (bytes.length < EHDR_SIZE) fail('ELF_TRUNCATED', `file is ${bytes.length} bytes, shorter than the ELF64 header`);
  const h = new ByteWindow(bytes.subarray(0, EHDR_SIZE), littleEndian, 'ELF header', 'ELF_TRUNCATED');
  const machine = h.u16(0x12);
  if (machine !== EM_BPF) fail('ELF_WRONG_MACHINE', `e_machine is ${machine}, not EM_BPF (${EM_BPF})`);
  const type = h.u16(0x10);
  if (type !== ET_REL) fail('ELF_NOT_RELOCATABLE', `e_type is ${type}: an eBPF object is relocatable (ET_REL)`);
  const shoff = h.u64AsNumber(0x28, 'e_shoff');
  const shentsize = h.u16(0x3a);
  const shnum = h.u16(0x3c);
  const shstrndx = h.u16(0x3e);
  if (shnum === 0) {
    // 0 sections with a table offset means extended numbering (count in section 0):
    // never produced for BPF; an object with no sections has nothing to read either.
    fail('ELF_BAD_HEADER', shoff ? 'extended section numbering is not supported' : 'the object has no sections');
  }
  if (shentsize !== SECTION_HEADER_SIZE) fail('ELF_BAD_HEADER', `e_shentsize is ${shentsize}, not ${SECTION_HEADER_SIZE}`);
  if (shoff + shnum * SECTION_HEADER_SIZE > bytes.length) {
    fail('ELF_TRUNCATED', `section header table (${shnum} entries at ${shoff}) runs past the end of the ${bytes.length}-byte file`);
  }
  if (shstrndx >= shnum) fail('ELF_BAD_INDEX', `e_shstrndx ${shstrndx} is not a section (${shnum} sections)`);
  return {
    littleEndian, type, machine,
    version: h.u32(0x14),
    flags: h.u32(0x30),
    osabi: bytes[7],
    shoff, shnum, shstrndx,
  };
}

function toSection(h: RawSectionHeader, index: number, bytes: Uint8Array): ElfSection {
  const hasBytes = h.type !== SHT.NOBITS && h.type !== SHT.NULL;
  if (hasBytes && (h.offset + h.size > bytes.length || !Number.isSafeInteger(h.offset + h.size))) {
    fail('ELF_SECTION_RANGE', `section ${index} (offset ${h.offset}, size ${h.size}) runs past the end of the ${bytes.length}-byte file`);
  }
  return {
    index,
    name: h.name,
    type: h.type,
    flags: h.flags,
    addr: h.addr,
    offset: h.offset,
    size: h.size,
    link: h.link,
    info: h.info,
    addralign: h.addralign,
    entsize: h.entsize,
    data: hasBytes ? bytes.subarray(h.offset, h.offset + h.size) : new Uint8Array(0),
  };
}

/** elfy resolves names without bounds checks; an offset past the table must not read as ''. */
function checkSectionNames(raw: readonly RawSectionHeader[], sections: readonly ElfSection[], shstrndx: number): void {
  const strtab = sections[shstrndx];
  if (strtab.type !== SHT.STRTAB) fail('ELF_BAD_INDEX', `e_shstrndx ${shstrndx} is not a string table`);
  const names = new ByteWindow(strtab.data, true, 'section name table', 'ELF_BAD_STRING');
  raw.forEach((h, i) => {
    if (i === 0) return;
    if (h.nameOffset >= strtab.size) {
      fail('ELF_BAD_STRING', `section ${i} name offset ${h.nameOffset} is outside the ${strtab.size}-byte name table`);
    }
    const name = names.cstring(h.nameOffset, `name of section ${i}`);
    if (name !== h.name) fail('ELF_BAD_STRING', `section ${i} name could not be read consistently`);
  });
}

export function sectionByName(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name && s.index !== 0);
}
