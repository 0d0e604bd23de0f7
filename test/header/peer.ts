/**
 * The peer for header tests: clang compiles a C file that includes the header, and
 * `bpftool btf dump ... format raw` and llvm-readelf say what clang made of it. The
 * BTF text is read here with its own small reader (not src/btf) and turned into
 * TypeSchema by the naming rules of src/object/schema.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import type { TypeSchema } from '../../src/object/schema.js';

export const TOOLS = ['clang', 'clang-19', 'bpftool', 'llvm-readelf', 'llvm-objcopy'] as const;

export function missingTools(): string[] {
  return TOOLS.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'pipe' });
      return false;
    } catch {
      return true;
    }
  });
}

const ASM_INCLUDE = '/usr/include/x86_64-linux-gnu';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'bpf2pf-header-'));
}

/** Compiles `source` for BPF with BTF; `includeDir` is searched for quoted includes. */
export function compile(source: string, dir: string, compiler: 'clang' | 'clang-19', name = 'probe'): string {
  const c = join(dir, `${name}.c`);
  const o = join(dir, `${name}-${compiler}.o`);
  writeFileSync(c, source);
  execFileSync(compiler, ['-O2', '-g', '-target', 'bpf', '-Wno-everything', `-I${dir}`, `-I${ASM_INCLUDE}`, '-c', c, '-o', o], { stdio: 'pipe' });
  return o;
}

export interface BtfType {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly lines: readonly { readonly name: string; readonly attrs: Readonly<Record<string, string>> }[];
}

function attrsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)=([^\s,]+)/g)) out[m[1]] = m[2];
  return out;
}

/** `bpftool btf dump file X format raw`, one record per type id. */
export function readBtf(object: string): Map<number, BtfType> {
  const text = execFileSync('bpftool', ['btf', 'dump', 'file', object, 'format', 'raw'], { encoding: 'utf8' });
  const types = new Map<number, BtfType>();
  let cur: { id: number; kind: string; name: string; attrs: Record<string, string>; lines: BtfType['lines'][number][] } | undefined;
  for (const line of text.split('\n')) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (head) {
      cur = { id: Number(head[1]), kind: head[2], name: head[3] === '(anon)' ? '' : head[3], attrs: attrsOf(head[4]), lines: [] };
      types.set(cur.id, cur);
    } else if (cur && line.startsWith('\t')) {
      const named = /^\t'([^']*)'(.*)$/.exec(line);
      cur.lines.push(named ? { name: named[1] === '(anon)' ? '' : named[1], attrs: attrsOf(named[2]) } : { name: '', attrs: attrsOf(line) });
    }
  }
  return types;
}

function num(v: string | undefined): number {
  return Number(v ?? NaN);
}

function bigOf(v: string): bigint {
  return BigInt(v.replace(/U?LL$/, ''));
}

export class Btf {
  constructor(readonly types: Map<number, BtfType>) {}

  get(id: number): BtfType {
    const t = this.types.get(id);
    if (!t) throw new Error(`no BTF type ${id}`);
    return t;
  }

  find(kind: string, name: string): BtfType | undefined {
    for (const t of this.types.values()) if (t.kind === kind && t.name === name) return t;
    return undefined;
  }

  /** `struct x`, `union x`, `enum x` (ENUM or ENUM64), or a typedef name. */
  byKey(key: string): BtfType | undefined {
    const m = /^(struct|union|enum) (.+)$/.exec(key);
    if (!m) return this.find('TYPEDEF', key);
    if (m[1] === 'enum') return this.find('ENUM', m[2]) ?? this.find('ENUM64', m[2]);
    return this.find(m[1].toUpperCase(), m[2]) ?? this.find('FWD', m[2]);
  }

  skipMods(id: number): BtfType {
    let t = this.get(id);
    while (['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) t = this.get(num(t.attrs.type_id));
    return t;
  }

  size(id: number): number {
    const t = this.get(id);
    switch (t.kind) {
      case 'PTR':
        return 8;
      case 'ARRAY':
        return num(t.attrs.nr_elems) * this.size(num(t.attrs.type_id));
      case 'TYPEDEF': case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPE_TAG':
        return this.size(num(t.attrs.type_id));
      default:
        return num(t.attrs.size);
    }
  }

  /** The schema of type `id` by the rules in src/object/schema.ts. */
  schema(id: number, typedefName?: string): TypeSchema {
    if (id === 0) return { kind: 'opaque', name: 'void', size: 0 };
    const t = this.get(id);
    switch (t.kind) {
      case 'TYPEDEF':
        return this.schema(num(t.attrs.type_id), typedefName ?? t.name);
      case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPE_TAG':
        return this.schema(num(t.attrs.type_id), typedefName);
      case 'INT':
        return {
          kind: 'int', name: typedefName ?? t.name, size: num(t.attrs.size),
          signed: t.attrs.encoding === 'SIGNED', bool: t.attrs.encoding === 'BOOL',
        };
      case 'FLOAT':
        return { kind: 'float', name: typedefName ?? t.name, size: num(t.attrs.size) };
      case 'ENUM': case 'ENUM64':
        return {
          kind: 'enum', name: t.name || typedefName || '', size: num(t.attrs.size), signed: t.attrs.encoding === 'SIGNED',
          values: t.lines.map((l) => ({ name: l.name, value: bigOf(l.attrs.val) })),
        };
      case 'STRUCT': case 'UNION':
        return {
          kind: t.kind === 'STRUCT' ? 'struct' : 'union', name: t.name || typedefName || '', size: num(t.attrs.size),
          fields: t.lines.map((l) => ({
            name: l.name, bitOffset: num(l.attrs.bits_offset), bitSize: num(l.attrs.bitfield_size ?? '0'), type: this.schema(num(l.attrs.type_id)),
          })),
        };
      case 'ARRAY': {
        const element = this.schema(num(t.attrs.type_id));
        const length = num(t.attrs.nr_elems);
        return { kind: 'array', element, length, size: length * element.size };
      }
      case 'PTR':
        return { kind: 'pointer', size: 8, target: this.pointeeName(num(t.attrs.type_id)) };
      case 'FWD':
        return { kind: 'opaque', name: t.name, size: 0 };
      default:
        throw new Error(`no schema for BTF ${t.kind}`);
    }
  }

  private pointeeName(id: number, typedefName?: string): string {
    if (id === 0) return 'void';
    const t = this.get(id);
    switch (t.kind) {
      case 'TYPEDEF':
        return this.pointeeName(num(t.attrs.type_id), typedefName ?? t.name);
      case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPE_TAG':
        return this.pointeeName(num(t.attrs.type_id), typedefName);
      case 'INT': case 'FLOAT':
        return typedefName ?? t.name;
      case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'FWD':
        return t.name || typedefName || '';
      default:
        return '';
    }
  }

  /** VAR type ids in DATASEC `section`, by name. */
  vars(section: string): Map<string, number> {
    const out = new Map<string, number>();
    const sec = this.find('DATASEC', section);
    for (const l of sec?.lines ?? []) {
      const v = this.get(num(l.attrs.type_id));
      out.set(v.name, num(v.attrs.type_id));
    }
    return out;
  }

  /** A `.maps` variable decoded by libbpf's rules (parse_btf_map_def), independently of src/. */
  btfMap(name: string, structId: number): MapDeclaration {
    const s = this.skipMods(structId);
    const ints: Record<string, number> = {};
    let key: TypeSchema | undefined;
    let value: TypeSchema | undefined;
    let inner: MapDeclaration | undefined;
    let mapExtra = 0n;
    let hasValues = false;
    for (const m of s.lines) {
      const mt = this.skipMods(num(m.attrs.type_id));
      if (m.name === 'key' || m.name === 'value') {
        const target = num(mt.attrs.type_id);
        ints[`${m.name}_size`] = this.size(target);
        if (m.name === 'key') key = this.schema(target);
        else value = this.schema(target);
      } else if (m.name === 'map_extra') {
        mapExtra = mt.kind === 'PTR' ? BigInt(this.get(num(mt.attrs.type_id)).attrs.nr_elems) : BigInt.asUintN(64, bigOf(mt.lines[0].attrs.val));
      } else if (m.name === 'values') {
        hasValues = true;
        ints.value_size = 4;
        const ptr = this.skipMods(num(mt.attrs.type_id));
        const target = this.skipMods(num(ptr.attrs.type_id));
        if (target.kind === 'STRUCT') inner = this.btfMap(`${name}.inner`, target.id);
      } else {
        ints[m.name] = num(this.get(num(mt.attrs.type_id)).attrs.nr_elems);
      }
    }
    return {
      name, type: ints.type, keySize: ints.key_size ?? 0, valueSize: ints.value_size ?? 0, maxEntries: ints.max_entries ?? 0,
      flags: ints.map_flags ?? 0, pinning: ints.pinning ?? 0, numaNode: ints.numa_node ?? 0, mapExtra,
      ...(key ? { key } : {}), ...(value ? { value } : {}), ...(inner ? { inner } : {}), hasValues,
    };
  }
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly section: string;
}

/** Symbols with their section names, from llvm-readelf. */
export function readSymbols(object: string): ElfSymbol[] {
  const sections = new Map<number, string>();
  const secText = execFileSync('llvm-readelf', ['-S', '--wide', object], { encoding: 'utf8' });
  for (const m of secText.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)/gm)) sections.set(Number(m[1]), m[2]);
  const symText = execFileSync('llvm-readelf', ['-s', '--wide', object], { encoding: 'utf8' });
  const out: ElfSymbol[] = [];
  for (const m of symText.matchAll(/^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+\w+\s+\w+\s+\w+\s+(\d+)\s+(\S+)$/gm)) {
    out.push({ name: m[4], value: parseInt(m[1], 16), size: Number(m[2]), section: sections.get(Number(m[3])) ?? '' });
  }
  return out;
}

/** Relocations in `.rel<section>`: offset and symbol name. */
export function readRelocations(object: string, section: string): { offset: number; symbol: string }[] {
  const text = execFileSync('llvm-readelf', ['-r', '--wide', object], { encoding: 'utf8' });
  const start = text.indexOf(`'.rel${section}'`);
  if (start < 0) return [];
  const block = text.slice(start).split(/\n\s*\n/)[0];
  return [...block.matchAll(/^([0-9a-f]{8,})\s+[0-9a-f]+\s+\S+\s+[0-9a-f]+\s+(\S+)/gm)].map((m) => ({ offset: parseInt(m[1], 16), symbol: m[2] }));
}

/** The bytes of one section. */
export function sectionBytes(object: string, section: string, dir: string): Buffer {
  const out = join(dir, `${section.replace(/\W/g, '_')}.bin`);
  execFileSync('llvm-objcopy', [`--dump-section=${section}=${out}`, object, join(dir, 'discard.o')], { stdio: 'pipe' });
  return readFileSync(out);
}

/** JSON with bigints, for readable equality failures. */
export function plain<X>(x: X): unknown {
  if (x === undefined) return undefined;
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
}
