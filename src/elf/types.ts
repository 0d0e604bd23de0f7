/** Plain data read from an ELF64 relocatable object. Offsets and sizes are in bytes. */

export const EM_BPF = 247;
export const ET_REL = 1;

export const SHT = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9,
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4, MERGE: 0x10, STRINGS: 0x20, INFO_LINK: 0x40 } as const;

export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const SHN = { UNDEF: 0, LORESERVE: 0xff00, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff } as const;

/** BPF relocation types (Documentation/bpf/llvm_reloc.rst). */
export const R_BPF = { NONE: 0, R64_64: 1, R64_ABS64: 2, R64_ABS32: 3, R64_NODYLD32: 4, R64_32: 10 } as const;

export interface ElfHeader {
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly flags: number;
  readonly osabi: number;
  readonly shoff: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes; empty for NOBITS (.bss), whose size is still `size`. */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  readonly visibility: number;
  /** Section index, or one of the SHN_* specials. */
  readonly shndx: number;
}

export interface ElfRelocation {
  /** Byte offset in the target section. */
  readonly offset: number;
  /** R_BPF_* */
  readonly type: number;
  /** Index into the symbol table. */
  readonly symbol: number;
}

export interface ElfRelocationSection {
  /** Index of the SHT_REL section itself. */
  readonly index: number;
  readonly name: string;
  /** Index of the section the relocations patch (sh_info). */
  readonly target: number;
  readonly entries: readonly ElfRelocation[];
}

export interface ElfFile {
  readonly header: ElfHeader;
  /** Indexed by section number; entry 0 is the null section. */
  readonly sections: readonly ElfSection[];
  /** Indexed by symbol number; entry 0 is the null symbol. Empty without a symtab. */
  readonly symbols: readonly ElfSymbol[];
  readonly relocations: readonly ElfRelocationSection[];
}
