/**
 * Readers for the peer tools' text output: bpftool's JSON BTF dump, llvm-readelf's
 * section, symbol and relocation tables, and llvm-dwarfdump's DIE tree and line tables.
 * Each parser is deliberately literal about the tool's format, so a format change
 * shows up as a failing test rather than as silently empty data.
 */
import { run } from './objects.js';

// ---------------------------------------------------------------- bpftool

export interface JsonType {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly [field: string]: unknown;
}

export function bpftoolTypes(obj: string): Map<number, JsonType> {
  const parsed = JSON.parse(run('bpftool', ['-j', 'btf', 'dump', 'file', obj])) as { types: JsonType[] };
  return new Map(parsed.types.map((t) => [t.id, t]));
}

// ---------------------------------------------------------------- llvm-readelf

export interface ElfSection { readonly index: number; readonly name: string; readonly type: string; readonly size: number }

export function readelfSections(obj: string): ElfSection[] {
  const out: ElfSection[] = [];
  for (const line of run('llvm-readelf', ['-S', '--wide', obj]).split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s/.exec(line);
    if (m) out.push({ index: Number(m[1]), name: m[2], type: m[3], size: parseInt(m[4], 16) });
  }
  if (out.length === 0) throw new Error(`llvm-readelf -S printed no sections for ${obj}`);
  return out;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: string;
  readonly bind: string;
  /** Section name, or UND/ABS. */
  readonly section: string;
}

export function readelfSymbols(obj: string): ElfSymbol[] {
  const sections = new Map(readelfSections(obj).map((s) => [String(s.index), s.name]));
  const out: ElfSymbol[] = [];
  for (const line of run('llvm-readelf', ['-s', '--wide', obj]).split('\n')) {
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s?(.*)$/.exec(line);
    if (m) {
      out.push({
        name: m[6],
        value: parseInt(m[1], 16),
        size: Number(m[2]),
        type: m[3],
        bind: m[4],
        section: sections.get(m[5]) ?? m[5],
      });
    }
  }
  return out;
}

export interface ElfRelocation { readonly offset: number; readonly type: string; readonly symbolValue: number; readonly symbol: string }

/** The entries of one relocation section, e.g. `.rel.BTF`; [] when it does not exist. */
export function readelfRelocations(obj: string, relSection: string): ElfRelocation[] {
  const out: ElfRelocation[] = [];
  let inSection = false;
  for (const line of run('llvm-readelf', ['-r', '--wide', obj]).split('\n')) {
    const head = /^Relocation section '(.*)' at offset/.exec(line);
    if (head) {
      inSection = head[1] === relSection;
      continue;
    }
    const m = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)\s+([0-9a-f]{16})\s+(.*)$/.exec(line);
    if (inSection && m) out.push({ offset: parseInt(m[1], 16), type: m[2], symbolValue: parseInt(m[3], 16), symbol: m[4].trim() });
  }
  return out;
}

// ---------------------------------------------------------------- llvm-dwarfdump

export interface Die {
  /** The DIE's offset in .debug_info, which DW_AT_type values refer to. */
  readonly offset: number;
  readonly tag: string;
  readonly attrs: Map<string, string>;
  readonly children: Die[];
}

/** The DIE tree of `llvm-dwarfdump --debug-info`, nested by the tool's indentation. */
export function dwarfDies(obj: string): Die[] {
  const roots: Die[] = [];
  const stack: { indent: number; die: Die }[] = [];
  let current: Die | undefined;
  for (const line of run('llvm-dwarfdump', ['--debug-info', obj]).split('\n')) {
    const tag = /^0x([0-9a-f]+):(\s+)(DW_TAG_\w+|NULL)/.exec(line);
    if (tag) {
      const indent = tag[2].length;
      while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
      if (tag[3] === 'NULL') {
        current = undefined;
        continue;
      }
      const die: Die = { offset: parseInt(tag[1], 16), tag: tag[3], attrs: new Map(), children: [] };
      (stack.length > 0 ? stack[stack.length - 1].die.children : roots).push(die);
      stack.push({ indent, die });
      current = die;
      continue;
    }
    const attr = /^\s+(DW_AT_\w+)\s+\((.*)\)\s*$/.exec(line);
    if (attr && current) current.attrs.set(attr[1], attr[2]);
  }
  return roots;
}

/** A string attribute without its quotes. */
export function dieString(d: Die, attr: string): string | undefined {
  const v = d.attrs.get(attr);
  return v === undefined ? undefined : v.replace(/^"(.*)"$/, '$1');
}

export function dieName(d: Die): string | undefined {
  return dieString(d, 'DW_AT_name');
}

export function dieNumber(d: Die, attr: string): number | undefined {
  const v = d.attrs.get(attr);
  return v === undefined ? undefined : Number(v);
}

/** Every DIE of the tree by offset. */
export function diesByOffset(roots: readonly Die[]): Map<number, Die> {
  const out = new Map<number, Die>();
  const todo = [...roots];
  for (let d = todo.pop(); d; d = todo.pop()) {
    out.set(d.offset, d);
    todo.push(...d.children);
  }
  return out;
}

/** The DIE a reference attribute such as DW_AT_type points at: `(0x0000005d "__u8")`. */
export function dieRef(d: Die, attr: string, all: Map<number, Die>): Die | undefined {
  const v = d.attrs.get(attr);
  const m = v === undefined ? null : /^0x([0-9a-f]+)/.exec(v);
  return m ? all.get(parseInt(m[1], 16)) : undefined;
}

/** A type's size in bytes as DWARF states it (the compiler's own layout, not BTF's). */
export function dwarfTypeSize(d: Die | undefined, all: Map<number, Die>): number {
  let factor = 1;
  for (let guard = 0; d && guard < 100; guard++) {
    switch (d.tag) {
      case 'DW_TAG_base_type':
      case 'DW_TAG_structure_type':
      case 'DW_TAG_union_type':
      case 'DW_TAG_enumeration_type':
        return factor * (dieNumber(d, 'DW_AT_byte_size') ?? 0);
      case 'DW_TAG_pointer_type':
        return factor * 8;
      case 'DW_TAG_array_type':
        for (const r of d.children.filter((c) => c.tag === 'DW_TAG_subrange_type')) {
          const count = dieNumber(r, 'DW_AT_count') ?? ((dieNumber(r, 'DW_AT_upper_bound') ?? -1) + 1);
          factor *= count;
        }
        d = dieRef(d, 'DW_AT_type', all);
        break;
      default:
        // typedef, const, volatile, restrict, atomic: the size of what they qualify.
        d = dieRef(d, 'DW_AT_type', all);
    }
  }
  throw new Error('DWARF type chain did not end in a sized type');
}

export interface DwarfLineRow {
  readonly section: string;
  readonly address: number;
  readonly line: number;
  readonly column: number;
  readonly file: string;
}

/**
 * Rows of the line table, each tagged with the ELF section of its sequence. In a
 * relocatable object every sequence starts with DW_LNE_set_address whose 8-byte operand
 * (3 bytes past the opcode: 00, length, 02) carries an ABS64 relocation against the
 * section symbol; `--debug-line -v` prints each opcode's offset so the two can be joined.
 */
export function dwarfLineRows(obj: string): DwarfLineRow[] {
  const relocs = new Map(readelfRelocations(obj, '.rel.debug_line')
    .filter((r) => r.type === 'R_BPF_64_ABS64')
    .map((r) => [r.offset, r.symbol]));
  const dirs = new Map<number, string>();
  const files = new Map<number, string>();
  const rows: DwarfLineRow[] = [];
  let section: string | undefined;
  let pendingFile: number | undefined;
  for (const line of run('llvm-dwarfdump', ['--debug-line', '-v', obj]).split('\n')) {
    // DWARF 5 prints strings as `.debug_line_str[0x..] = "text"`; older ones just `"text"`.
    const dir = /^include_directories\[\s*(\d+)\] = (?:.*= )?"(.*)"/.exec(line);
    if (dir) dirs.set(Number(dir[1]), dir[2]);
    const file = /^file_names\[\s*(\d+)\]:/.exec(line);
    if (file) pendingFile = Number(file[1]);
    const fname = /^\s+name: (?:.*= )?"(.*)"/.exec(line);
    if (fname && pendingFile !== undefined) files.set(pendingFile, fname[1]);
    const dirIndex = /^\s+dir_index: (\d+)/.exec(line);
    if (dirIndex && pendingFile !== undefined) {
      const name = files.get(pendingFile) ?? '';
      if (!name.startsWith('/')) {
        // Relative directories are relative to directory 0, the compilation directory.
        const index = Number(dirIndex[1]);
        let d = dirs.get(index) ?? '';
        if (index !== 0 && !d.startsWith('/')) d = `${dirs.get(0) ?? ''}/${d}`;
        files.set(pendingFile, `${d}/${name}`);
      }
      pendingFile = undefined;
    }
    const setAddress = /^0x([0-9a-f]+): 00 DW_LNE_set_address/.exec(line);
    if (setAddress) {
      section = relocs.get(parseInt(setAddress[1], 16) + 3);
      if (section === undefined) throw new Error(`no relocation for the set_address at 0x${setAddress[1]} in ${obj}`);
    }
    const row = /^\s*0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(line);
    if (row && section !== undefined) {
      rows.push({
        section,
        address: parseInt(row[1], 16),
        line: Number(row[2]),
        column: Number(row[3]),
        file: files.get(Number(row[4])) ?? `file#${row[4]}`,
      });
    }
    if (/end_sequence/.test(line) && row) section = undefined;
  }
  return rows;
}
