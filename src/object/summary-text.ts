import { helperName } from '../insn/helper-names.js';
import { layoutLines, typeName } from './describe-schema.js';
import type { MapDeclaration } from './map-declaration.js';
import { mapFlagNames, mapTypeName } from './map-types.js';
import { isNetworkOrder, type TypeSchema } from './schema.js';
import type { BpfFunction, BpfGlobal, BpfMap, BpfObject, BpfProgram } from './types.js';

/** The readable summary `bpf2pf inspect` prints. */
export function summaryText(file: string, obj: BpfObject): string {
  const out: string[] = [];
  const btf = obj.btf ? `BTF ${obj.btf.types.length - 1} types${obj.btfExt ? ', line info' : ''}` : 'no BTF (built without -g)';
  out.push(`${file}: eBPF object, ${obj.littleEndian ? 'little' : 'big'} endian, license ${obj.license === undefined ? 'none' : JSON.stringify(obj.license)}, ${btf}`);
  out.push('', `Programs (${obj.programs.length}):`);
  for (const p of obj.programs) out.push(...programLines(p));
  if (obj.subprograms.length) {
    out.push('', `Subprograms in .text (${obj.subprograms.length}):`);
    for (const f of obj.subprograms) out.push(...functionLines(f, `  ${f.name}`));
  }
  out.push('', `Maps (${obj.maps.length}):`);
  for (const m of obj.maps) out.push(...mapLines(m));
  out.push('', `Globals (${obj.globals.length}):`);
  for (const g of obj.globals) out.push(globalLine(g));
  if (obj.externs.length) {
    out.push('', 'Kernel symbols:');
    for (const e of obj.externs) out.push(`  ${e.kind} ${e.name}`);
  }
  out.push('', `Source files (${obj.sourceFiles.length}):`);
  for (const f of obj.sourceFiles) out.push(`  ${f}`);
  if (obj.schemaSource === 'none' && obj.maps.some((m) => m.form !== 'btf')) {
    out.push('', 'Map layouts are sizes only; give the C header with --schema to name their fields.');
  }
  return `${out.join('\n')}\n`;
}

function programLines(p: BpfProgram): string[] {
  const kind = `${p.kind.type}${p.kind.attach ? ` (${p.kind.attach})` : ''}${p.autoload ? '' : ', not autoloaded'}`;
  const lines = functionLines(p, `  ${p.name}  ${kind}`);
  if (p.callees.length) lines.push(`    calls: ${p.callees.map((c) => c.name).join(', ')}`);
  return lines;
}

function functionLines(f: BpfFunction, head: string): string[] {
  const helpers = [...new Set(f.cfg.calls.flatMap((c) => (c.kind === 'helper' || c.kind === 'tailCall' ? [helperName(c.helperId) ?? `#${c.helperId}`] : [])))];
  const maps = [...new Set(f.references.flatMap((r) => (r.kind === 'map' ? [r.map] : [])))];
  const where = f.lines.length ? `, ${f.lines[0].file}:${f.lines[0].line}` : '';
  const out = [`${head}  section ${f.section}, ${f.insns.length} instructions, ${f.cfg.blocks.length} blocks${where}`];
  if (helpers.length) out.push(`    helpers: ${helpers.join(', ')}`);
  if (maps.length) out.push(`    maps: ${maps.join(', ')}`);
  return out;
}

function declarationLine(m: MapDeclaration): string {
  const flags = mapFlagNames(m.flags);
  const pin = m.pinning === 1 ? ', pinned by name' : m.pinning === 2 ? ', pinned (global ns)' : '';
  return `${mapTypeName(m.type)}, key ${m.keySize} B, value ${m.valueSize} B, max ${m.maxEntries}${flags.length ? `, flags ${flags.join('|')}` : ''}${pin}`;
}

function schemaLines(label: string, t: TypeSchema | undefined, indent: string): string[] {
  if (!t) return [];
  return [`${indent}${label}: ${typeName(t)} (${t.size} B)`, ...layoutLines(t, `${indent}  `)];
}

function mapLines(m: BpfMap): string[] {
  const form = m.form === 'btf' ? '' : ` [${m.form}]`;
  const out = [`  ${m.name}  ${m.form === 'unknown' ? `definition of ${m.definitionSize} bytes, no BTF` : declarationLine(m)}${form}`];
  out.push(...schemaLines('key', m.key, '    '), ...schemaLines('value', m.value, '    '));
  if (m.inner) {
    out.push(`    inner: ${declarationLine(m.inner)}`);
    out.push(...schemaLines('key', m.inner.key, '      '), ...schemaLines('value', m.inner.value, '      '));
  }
  for (const s of m.initialSlots) out.push(`    [${s.index}] = ${s.targetKind} ${s.target}`);
  return out;
}

function globalLine(g: BpfGlobal): string {
  const type = g.schema ? `${g.constVolatile ? 'const volatile ' : ''}${typeName(g.schema)}` : `${g.size} bytes`;
  const value = g.schema && isNetworkOrder(g.schema) ? ` = ${networkValue(g.initial)}` : g.value === undefined ? '' : ` = ${JSON.stringify(g.value)}`;
  return `  ${g.section}+${g.offset}  ${g.name}: ${type}${value}`;
}

/** A __be16/__be32 as a person reads it: a port number, or an IPv4 address, and its hex. */
function networkValue(bytes: Uint8Array): string {
  const n = bytes.reduce((acc, b) => acc * 256 + b, 0);
  const hex = `0x${n.toString(16).padStart(bytes.length * 2, '0')}`;
  return bytes.length === 4 ? `${[...bytes].join('.')} (${hex})` : `${n} (${hex})`;
}
