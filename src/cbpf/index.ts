/** Classic BPF as FreeBSD's bpf(4) and ng_bpf(4) run it: the public surface of src/cbpf. */
export * from './types.js';
export { classify, codeOf, isJump, makeInsn, shapeOf, VALID_CODES, MOD_XOR_CODES, withUnusedFieldsCleared } from './opcodes.js';
export { encodeCbpf, formatDd, formatDdd, type ByteOrder } from './encode.js';
export { decodeCbpf, decodeRaw } from './decode.js';
export { assembleCbpf } from './assemble.js';
export { disassembleCbpf, formatInsnLine, insnImage, insnText, type InsnImage } from './disassemble.js';
export { findFreeBsdViolation, validateCbpf, type FreeBsdLimits, type ValidationFailure, type ValidationRule } from './validate.js';
export { findLinuxViolation } from './validate-linux.js';
export { cbpfFilter, runCbpf, type CbpfFilter, type PacketInput, type RunOptions, type RunSemantics } from './interpret.js';
export { ancillaryName, ancillaryOffset, SKF_AD_OFF } from './linux-ancillary.js';
export { compileFilter, MATCH_SNAPLEN, type CompileOptions } from './compile.js';
