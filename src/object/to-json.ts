import { formatInsn, LLVM14_STYLE } from '../insn/disasm.js';
import { helperName } from '../insn/helper-names.js';
import { mapFlagNames, mapTypeName } from './map-types.js';
import type { MapDeclaration } from './map-declaration.js';
import type { BpfFunction, BpfObject, BpfProgram } from './types.js';

/** Version of the `inspect --json` document; bumped on any incompatible change. */
export const INSPECT_JSON_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The JSON form of an object for `bpf2pf inspect --json` (documented in the README).
 * 64-bit numbers that may exceed 2^53 are decimal strings, bytes are hex strings.
 */
export function objectToJson(file: string, obj: BpfObject, options: { disasm: boolean }): Json {
  return normalise({
    bpf2pfInspect: INSPECT_JSON_VERSION,
    file,
    byteOrder: obj.littleEndian ? 'little' : 'big',
    license: obj.license ?? null,
    btf: obj.btf ? { types: obj.btf.types.length - 1, lineInfo: (obj.btfExt?.lineInfo.length ?? 0) > 0 } : null,
    schemaSource: obj.schemaSource,
    sections: obj.sections.map((s) => ({ index: s.index, name: s.name, type: s.type, flags: s.flags, size: s.size })),
    programs: obj.programs.map((p) => programJson(p, options.disasm)),
    subprograms: obj.subprograms.map((f) => functionJson(f, options.disasm)),
    maps: obj.maps.map((m) => ({
      ...mapDeclarationJson(m),
      section: m.section,
      offset: m.offset,
      definitionSize: m.definitionSize,
      form: m.form,
      schemaSource: m.schemaSource,
      initialSlots: m.initialSlots.map((s) => ({ ...s })),
      ...(m.elfMapExtra && { elfMapExtra: { ...m.elfMapExtra } }),
    })),
    globals: obj.globals.map((g) => ({
      name: g.name,
      section: g.section,
      offset: g.offset,
      size: g.size,
      linkage: g.linkage,
      constVolatile: g.constVolatile,
      type: g.schema ?? null,
      value: g.value ?? null,
      bytes: hex(g.initial),
    })),
    externs: obj.externs.map((e) => ({ ...e })),
    sourceFiles: [...obj.sourceFiles],
  }) as Json;
}

function mapDeclarationJson(m: MapDeclaration): Record<string, unknown> {
  return {
    name: m.name,
    type: m.type,
    typeName: mapTypeName(m.type),
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    flags: m.flags,
    flagNames: mapFlagNames(m.flags),
    pinning: m.pinning,
    numaNode: m.numaNode,
    mapExtra: m.mapExtra,
    key: m.key ?? null,
    value: m.value ?? null,
    inner: m.inner ? mapDeclarationJson(m.inner) : null,
  };
}

function programJson(p: BpfProgram, disasm: boolean): Record<string, unknown> {
  return {
    ...functionJson(p, disasm),
    type: p.kind.type,
    attach: p.kind.attach ?? null,
    autoload: p.autoload,
    callees: p.callees.map((c) => c.name),
  };
}

function functionJson(f: BpfFunction, disasm: boolean): Record<string, unknown> {
  const helpers = [...new Set(f.cfg.calls.flatMap((c) => (c.kind === 'helper' || c.kind === 'tailCall' ? [helperName(c.helperId) ?? `helper_${c.helperId}`] : [])))];
  return {
    name: f.name,
    section: f.section,
    linkage: f.linkage,
    slots: [f.start, f.end],
    instructions: f.insns.length,
    blocks: f.cfg.blocks.length,
    helpers,
    maps: [...new Set(f.references.flatMap((r) => (r.kind === 'map' ? [r.map] : [])))],
    globals: [...new Set(f.references.flatMap((r) => (r.kind === 'global' ? [r.variable ?? `${r.section}+${r.offset}`] : [])))],
    source: f.lines.length ? { file: f.lines[0].file, line: f.lines[0].line } : null,
    ...(disasm && {
      listing: f.insns.map((i) => {
        const line = f.lines.find((l) => l.slot === i.slot);
        return { slot: i.slot, text: formatInsn(i, LLVM14_STYLE), ...(line && { source: `${line.file}:${line.line}:${line.column}` }) };
      }),
    }),
  };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** bigint -> decimal string, Uint8Array -> hex; everything else as JSON would write it. */
function normalise(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, normalise(x)]));
  }
  return v;
}
