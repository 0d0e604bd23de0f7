import type { BtfExt, CoreRelo } from '../btf/ext.js';
import type { JsonValue } from '../btf/decode-value.js';
import type { Btf } from '../btf/types.js';
import type { FunctionCfg, FunctionRef } from '../insn/cfg.js';
import type { Insn } from '../insn/types.js';
import type { MapDeclaration } from './map-declaration.js';
import type { ProgramKind } from './program-types.js';
import type { TypeSchema } from './schema.js';

/**
 * Everything later phases need from one eBPF object, read once by `loadObject`. No
 * phase after this one looks at ELF, BTF or instruction bytes again.
 */
export interface BpfObject {
  readonly littleEndian: boolean;
  /** Section names, types and sizes, for summaries and provenance. */
  readonly sections: readonly SectionInfo[];
  /** Bytes of every section that holds functions, for listings. */
  readonly code: readonly CodeSection[];
  /** The `license` section's string; undefined when there is none. */
  readonly license: string | undefined;
  /** Programs: functions that are entry points (FUNC symbols outside `.text`). */
  readonly programs: readonly BpfProgram[];
  /** Functions in `.text`: bpf-to-bpf callees and callbacks. */
  readonly subprograms: readonly BpfFunction[];
  readonly maps: readonly BpfMap[];
  readonly globals: readonly BpfGlobal[];
  /** `.rodata*`, `.data*`, `.bss*`: each is one internal array map for a loader. */
  readonly dataSections: readonly DataSection[];
  /** Undefined symbols the code refers to: kfuncs and ksyms. */
  readonly externs: readonly BpfExtern[];
  /** Source files named by line info, in first-seen order. */
  readonly sourceFiles: readonly string[];
  /** Parsed `.BTF` with DATASEC offsets fixed up from the ELF; undefined without `-g`. */
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
  /** Where key/value layouts came from. */
  readonly schemaSource: 'btf' | 'header' | 'none';
}

export interface SectionInfo {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly size: number;
}

export interface CodeSection {
  readonly index: number;
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface SourceLine {
  /** Slot within the section. */
  readonly slot: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/**
 * What a relocation makes an instruction refer to. `slot` is the instruction's slot
 * within its section.
 */
export type InsnReference =
  /** lddw of a map's address (BTF-defined or legacy). */
  | { readonly kind: 'map'; readonly slot: number; readonly map: string }
  /** lddw of an address inside a data section: a global variable, or a part of one. */
  | {
      readonly kind: 'global';
      readonly slot: number;
      readonly section: string;
      /** Byte offset in the section. */
      readonly offset: number;
      /** The named variable containing the offset, when one does. */
      readonly variable: string | undefined;
      readonly variableOffset: number;
    }
  /** A bpf-to-bpf call through a relocation (a call into `.text`). */
  | { readonly kind: 'call'; readonly slot: number; readonly target: FunctionRef }
  /** lddw of a function's address: a callback for bpf_loop, timers, for_each_map_elem. */
  | { readonly kind: 'callback'; readonly slot: number; readonly target: FunctionRef }
  /** A call of an undefined function: a kernel function (kfunc). */
  | { readonly kind: 'kfunc'; readonly slot: number; readonly name: string }
  /** lddw of an undefined variable: a kernel symbol (ksym). */
  | { readonly kind: 'ksym'; readonly slot: number; readonly name: string };

export interface BpfFunction {
  readonly name: string;
  readonly section: string;
  readonly sectionIndex: number;
  /** Slots [start, end) within the section. */
  readonly start: number;
  readonly end: number;
  readonly linkage: 'global' | 'static' | 'weak';
  /** Instructions of this function; their `slot` is section-relative. */
  readonly insns: readonly Insn[];
  readonly references: readonly InsnReference[];
  readonly lines: readonly SourceLine[];
  readonly coreRelocations: readonly CoreRelo[];
  readonly cfg: FunctionCfg;
  /** The BTF FUNC type id from func_info, when there is BTF. */
  readonly btfFuncId: number | undefined;
}

export interface BpfProgram extends BpfFunction {
  /** Section name as written, with a leading `?` (no autoload) kept in `autoload`. */
  readonly sectionName: string;
  readonly kind: ProgramKind;
  readonly autoload: boolean;
  /** Subprograms reachable by bpf-to-bpf calls, transitively, in first-call order. */
  readonly callees: readonly FunctionRef[];
}

export type MapDefinitionForm =
  /** `struct { __uint(type, ...) ... } name SEC(".maps")`, read through BTF. */
  | 'btf'
  /** libbpf's old `struct bpf_map_def` (20 bytes) in a `maps` section. */
  | 'bpf_map_def'
  /** iproute2's `struct bpf_elf_map` (28 or 36 bytes) in a `maps` section. */
  | 'bpf_elf_map'
  /** A `maps` entry of another size: the five common fields, the rest kept as bytes. */
  | 'legacy_other'
  /** A `.maps` entry in an object without BTF: only its size is known. */
  | 'unknown';

export interface BpfMap extends MapDeclaration {
  readonly section: string;
  /** Byte offset of the definition in its section (the symbol's value). */
  readonly offset: number;
  /** Size of the definition (the symbol's size). */
  readonly definitionSize: number;
  readonly form: MapDefinitionForm;
  /** Where `key`/`value` came from. */
  readonly schemaSource: 'btf' | 'header' | 'none';
  /** Initial slots from `.rel.maps`: inner maps of map-in-map, programs of a PROG_ARRAY. */
  readonly initialSlots: readonly { readonly index: number; readonly target: string; readonly targetKind: 'map' | 'program' }[];
  /** iproute2 `bpf_elf_map` fields beyond the common five. */
  readonly elfMapExtra?: { readonly id: number; readonly innerId: number; readonly innerIdx: number };
}

export interface BpfGlobal {
  readonly name: string;
  readonly section: string;
  readonly offset: number;
  readonly size: number;
  readonly linkage: 'global' | 'static' | 'extern' | 'unknown';
  /** `const volatile`: a loader-set constant (read-only to the program). */
  readonly constVolatile: boolean;
  readonly schema: TypeSchema | undefined;
  /** Initial bytes (zero for `.bss`). */
  readonly initial: Uint8Array;
  /** The initial bytes decoded through the schema, when there is one. */
  readonly value: JsonValue | undefined;
}

export interface DataSection {
  readonly name: string;
  readonly index: number;
  readonly size: number;
  /** Zero-filled for NOBITS sections. */
  readonly bytes: Uint8Array;
  readonly readOnly: boolean;
}

export interface BpfExtern {
  readonly name: string;
  readonly kind: 'kfunc' | 'ksym';
}
