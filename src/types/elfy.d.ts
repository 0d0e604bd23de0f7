// elfy 1.0.0 ships no types; only what elfy-adapter.ts uses is declared.
declare module 'elfy' {
  interface ElfySectionRecord {
    name: string;
    type: string | number;
    flags: Record<string, boolean>;
    addr: number;
    off: number;
    size: number;
    link: number;
    info: number;
    addralign: number;
    entsize: number;
    data: Buffer;
  }
  interface ElfyResult {
    class: string;
    endian: string;
    machine: string | undefined;
    shoff: number;
    shnum: number;
    shstrndx: number;
    body: { programs: unknown[]; sections: ElfySectionRecord[] };
  }
  const elfy: { parse(buf: Buffer): ElfyResult };
  export default elfy;
}
