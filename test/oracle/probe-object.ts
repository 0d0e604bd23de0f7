import { concatBytes, encodeRawInsn, writeBpfElf, type RawInsn } from '../support/bpf-elf-writer.js';

/**
 * A minimal loadable object around hand-made instructions: one tc program (section
 * `tc`) and one single-slot ARRAY map in a legacy `maps` section (a 20-byte
 * bpf_map_def, so no BTF is needed), which the program fills with what it observed.
 * Both the oracle's legacy loader and loadObject read it.
 */
export interface ProbeObjectSpec {
  readonly program: string;
  readonly map: string;
  readonly insns: readonly RawInsn[];
  /** Slot of the `lddw r1, 0` that must point at the map. */
  readonly mapSlot: number;
  readonly valueSize: number;
}

const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;

export function writeProbeObject(spec: ProbeObjectSpec): Uint8Array {
  const code = concatBytes(spec.insns.map((i) => encodeRawInsn(i, true)));
  const mapDef = new Uint8Array(20);
  const dv = new DataView(mapDef.buffer);
  [2, 4, spec.valueSize, 1, 0].forEach((v, i) => dv.setUint32(4 * i, v, true)); // ARRAY, key 4, 1 entry
  const elf = writeBpfElf({
    littleEndian: true,
    sections: [
      { name: 'tc', bytes: code, relocations: [{ offset: spec.mapSlot * 8, symbol: spec.map, type: 1 }] },
      { name: 'maps', bytes: mapDef },
      { name: 'license', bytes: new TextEncoder().encode('GPL\0') },
    ],
    symbols: [
      { name: spec.program, section: 0, value: 0, size: code.length, type: 'func', binding: 'global' },
      { name: spec.map, section: 1, value: 0, size: 20, type: 'object', binding: 'global' },
    ],
  });
  // The writer marks every section executable; data sections must not be.
  setSectionFlags(elf, 'maps', SHF_ALLOC | SHF_WRITE);
  setSectionFlags(elf, 'license', SHF_ALLOC | SHF_WRITE);
  return elf;
}

/** Rewrites sh_flags of the section called `name` in a little-endian ELF64 image. */
function setSectionFlags(elf: Uint8Array, name: string, flags: number): void {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  const shstrndx = v.getUint16(62, true);
  const strOff = Number(v.getBigUint64(shoff + shstrndx * 64 + 24, true));
  for (let i = 1; i < shnum; i++) {
    const h = shoff + i * 64;
    let at = strOff + v.getUint32(h, true);
    let s = '';
    while (elf[at] !== 0) s += String.fromCharCode(elf[at++]);
    if (s === name) {
      v.setBigUint64(h + 8, BigInt(flags), true);
      return;
    }
  }
  throw new Error(`no section ${name}`);
}
