/**
 * Typed errors for every phase. A caller tells failures apart by `code`, never by
 * message text; the CLI prints one line `bpf2pf: <file>: <message> [<code>]`.
 */

/** Input that is not a well-formed eBPF object (or a part of one). */
export type ObjectErrorCode =
  // ELF container
  | 'ELF_NOT_ELF' // no ELF magic: some other file
  | 'ELF_UNSUPPORTED_CLASS' // ELF32 or an invalid EI_CLASS
  | 'ELF_BAD_ENCODING' // EI_DATA is neither little nor big endian
  | 'ELF_WRONG_MACHINE' // e_machine is not EM_BPF (247)
  | 'ELF_NOT_RELOCATABLE' // e_type is not ET_REL: linked images are not eBPF objects
  | 'ELF_BAD_HEADER' // header fields that cannot be right (entry sizes, extended numbering)
  | 'ELF_TRUNCATED' // the file ends before a header or table it declares
  | 'ELF_SECTION_RANGE' // a section's offset/size points past the end of the file
  | 'ELF_BAD_INDEX' // a section index (shstrndx, sh_link, sh_info, st_shndx) out of range
  | 'ELF_BAD_STRING' // a name offset outside its string table, or no terminating NUL
  | 'ELF_BAD_SYMBOL' // a malformed symbol table, or a symbol index out of range
  | 'ELF_BAD_RELOCATION' // relocation outside its section, to a missing symbol, or of an unknown type
  // BTF and BTF.ext
  | 'BTF_BAD_HEADER' // magic, version or header length wrong
  | 'BTF_RANGE' // a sub-section or record runs past the end of its section
  | 'BTF_BAD_STRING' // a string offset past the string section
  | 'BTF_BAD_TYPE' // an unknown kind, or a type id out of range
  | 'BTF_TYPE_CYCLE' // a chain of references that never reaches a sized type
  | 'BTF_BAD_COUNT' // a count (vlen, nelems, num_info) that cannot be right
  | 'BTF_EXT_BAD' // .BTF.ext records that do not fit the instructions they describe
  // instructions
  | 'INSN_INVALID' // an opcode outside the instruction set, or a truncated lddw
  // programs, maps, globals
  | 'OBJ_BAD_PROGRAM' // a program symbol outside its section, or an empty program
  | 'OBJ_BAD_MAP' // a map definition that cannot be decoded
  | 'OBJ_BAD_REFERENCE'; // an instruction reference that resolves to nothing sensible

/** Problems with inputs that are not objects: headers, profiles, command lines. */
export type InputErrorCode =
  | 'SCHEMA_SYNTAX' // a C schema header that does not parse
  | 'SCHEMA_UNKNOWN_TYPE' // a header names a type it never defines
  | 'SCHEMA_BAD_MAP' // a map declaration in a header that cannot be decoded
  | 'USAGE' // a command line that does not make sense
  | 'IO' // a file that cannot be read or written
  | 'PROFILE_INVALID' // a deployment profile (YAML) that is malformed or contradicts the objects; names the file, line and YAML path
  | 'CONST_INVALID' // a --const or profile constant that names no .rodata global or does not fit it
  | 'SNAPSHOT_INVALID' // a --snapshot map-state file that is not the MapStateFile JSON form, or does not fit the objects
  | 'BASELINE_INVALID'; // a check baseline that is not the baseline JSON form

/**
 * A program run by the interpreter (src/vm) stopped for a reason the verifier would have
 * ruled out, or that our model does not cover: never a guessed result.
 */
export type VmErrorCode =
  | 'VM_UNKNOWN_HELPER' // a helper the interpreter does not implement (named in the message)
  | 'VM_UNKNOWN_KFUNC' // a kernel function the interpreter does not implement
  | 'VM_BAD_ACCESS' // a load or store outside every region, or of a width a region refuses
  | 'VM_BAD_CONTEXT' // a context field a program of this type may not read or write
  | 'VM_BAD_CALL' // a call or tail call that does not resolve, or frames nested too deep
  | 'VM_STEP_LIMIT' // more instructions than the run's budget: a loop the verifier bounds differently
  | 'VM_BAD_STATE' // a map state that does not fit the object's maps (sizes, unknown names)
  | 'VM_UNSUPPORTED'; // a construct the interpreter knowingly does not model

/** Classic BPF programs (src/cbpf): assembly text, encoded bytes, FreeBSD's validator. */
export type CbpfErrorCode =
  | 'CBPF_SYNTAX' // assembly text (tcpdump -d, -dd or -ddd form) that does not parse; line:col in the message
  | 'CBPF_BAD_ENCODING' // bytes that are not whole 8-byte struct bpf_insn records, or a field out of range
  | 'CBPF_INVALID' // a program bpf_validate would refuse; the message names the instruction and the rule
  | 'CBPF_TOO_LONG' // more instructions than the target accepts (FreeBSD net.bpf.maxinsns, 512 by default)
  | 'CBPF_FILTER_SYNTAX' // a filter expression (tcpdump's language) that does not parse; the column in the message
  | 'CBPF_FILTER_INVALID' // a filter expression that parses but means nothing (libpcap refuses it too): a bad qualifier, a number out of range
  | 'CBPF_UNSUPPORTED'; // valid pcap-filter outside the subset the compiler takes; the message names the construct

/** The pf emitter (src/emit/pf) and the names that reach pf.conf (src/ir/names.ts). */
export type EmitErrorCode =
  | 'EMIT_BAD_NAME' // a name or string that may not reach pf.conf (characters, length, reserved word)
  | 'EMIT_BAD_IR' // the IR contradicts itself (an unknown set, family, pipe or interface; a malformed address)
  | 'EMIT_LIMIT' // a pf or dummynet limit the output would exceed (names the limit and the value)
  | 'EMIT_UNSUPPORTED' // a rule the target release cannot express exactly (names the rule id and why)
  | 'EMIT_TEMPLATE'; // a template that is missing, or prints a value without a validating helper

/** pf.conf text read back by src/pf (the verification parser). */
export type PfErrorCode =
  | 'PF_SYNTAX'; // text outside the grammar, an undefined macro, or statements out of pfctl's order; line:col in the message

/** PolicyIR documents (src/ir): JSON text or data that breaks the contract in src/ir/types.ts. */
export type IrErrorCode =
  | 'IR_SYNTAX' // IR JSON text that does not parse
  | 'IR_VERSION' // an IR of a version this build does not read
  | 'IR_INVALID'; // a field, enum, name or reference that breaks the contract; the JSON path in the message

export type ErrorCode = ObjectErrorCode | InputErrorCode | VmErrorCode | CbpfErrorCode | EmitErrorCode | PfErrorCode | IrErrorCode;

export class Bpf2pfError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'Bpf2pfError';
  }
}

export function fail(code: ErrorCode, message: string): never {
  throw new Bpf2pfError(code, message);
}

export function isBpf2pfError(e: unknown): e is Bpf2pfError {
  return e instanceof Bpf2pfError;
}
