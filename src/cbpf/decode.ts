/**
 * Bytes to classic BPF instructions. Any 8-byte record decodes (codes outside the 49
 * valid ones become `unknown`, for the validator to refuse); only a length that is not
 * a whole number of records is an error here.
 */
import { fail } from '../errors.js';
import { classify } from './opcodes.js';
import { checkRawFields, type ByteOrder } from './encode.js';
import type { CbpfProgram, RawInsn } from './types.js';

/** Reads `struct bpf_insn[]` in the given byte order (little-endian by default). */
export function decodeCbpf(bytes: Uint8Array, order: ByteOrder = {}): CbpfProgram {
  if (bytes.length % 8 !== 0) {
    fail('CBPF_BAD_ENCODING', `${bytes.length} bytes is not a whole number of 8-byte struct bpf_insn records`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = order.littleEndian ?? true;
  const out = [];
  for (let off = 0; off < bytes.length; off += 8) {
    out.push(classify({
      code: view.getUint16(off, le), jt: view.getUint8(off + 2), jf: view.getUint8(off + 3), k: view.getUint32(off + 4, le),
    }));
  }
  return out;
}

/** Classifies raw fields (from -ddd text, an ngctl reply, a test), checking each fits its width. */
export function decodeRaw(raws: readonly RawInsn[]): CbpfProgram {
  return raws.map((r, i) => {
    checkRawFields(r, i);
    return classify(r);
  });
}
