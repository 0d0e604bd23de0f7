import { readElf, sectionByName } from '../../src/elf/read-elf.js';

/**
 * A copy of a little-endian object whose BTF line info says every line is `by` lines
 * further down, as if that many lines had been added at the top of every source file:
 * what an edit above the code does to the object, without a compiler. The line texts
 * stay as they are.
 */
export function shiftSourceLines(bytes: Uint8Array, by: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const ext = sectionByName(readElf(out), '.BTF.ext');
  if (!ext) throw new Error('object has no .BTF.ext');
  const v = new DataView(out.buffer, out.byteOffset + ext.offset, ext.size);
  const hdrLen = v.getUint32(4, true);
  const lineOff = hdrLen + v.getUint32(16, true);
  const lineEnd = lineOff + v.getUint32(20, true);
  const recSize = v.getUint32(lineOff, true);
  // After rec_size: per section, its name offset, its record count, then the records
  // { insn_off, file_name_off, line_off, line_col }, line_col = line << 10 | column.
  for (let at = lineOff + 4; at < lineEnd; ) {
    const count = v.getUint32(at + 4, true);
    at += 8;
    for (let i = 0; i < count; i++, at += recSize) v.setUint32(at + 12, v.getUint32(at + 12, true) + (by << 10), true);
  }
  return out;
}
