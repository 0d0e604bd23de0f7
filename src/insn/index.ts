/** Instructions: decoding, disassembly text, listings, helper names and control flow. */
export * from './types.js';
export { decodeInstructions, type DecodeOptions } from './decode.js';
export { formatInsn, formatNumber, formatSymbolRef, LLVM14_STYLE, LLVM19_STYLE, type DisasmStyle, type SymbolRef, type Symbolizer } from './disasm.js';
export { listSection, nearestLabel, type Label, type ListingOptions, type RelocationLine } from './listing.js';
export { HELPERS, helperAvailableIn, helperInfo, helperName, type HelperAvailability, type HelperInfo } from './helper-names.js';
export * from './cfg.js';
