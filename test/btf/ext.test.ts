/**
 * .BTF.ext against the compiler's other records of the same facts: line_info rows
 * against the DWARF line table (llvm-dwarfdump), func_info against the FUNC symbols
 * (llvm-readelf), and CO-RE records against the probe's known relocations.
 */
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBtfExt } from '../../src/btf/ext.js';
import { parseBtf } from '../../src/btf/parse.js';
import { corpusObjects, hasTool, objectsWithBtf, probeObjects, sectionBytes } from './helpers/objects.js';
import { dieName, dieNumber, dieString, dwarfDies, dwarfLineRows, readelfSymbols } from './helpers/peers.js';

const objects = objectsWithBtf([...probeObjects(), ...corpusObjects()])
  .map((o) => ({ ...o, ext: sectionBytes(o.obj.path, '.BTF.ext') }))
  .filter((o) => {
    if (!o.ext) console.log(`SKIP: ${o.obj.label} has no .BTF.ext`);
    return o.ext !== undefined;
  });

/** `./a/b.c` and `a/b.c` (objects built with a relative compilation directory). */
function samePath(a: string, b: string): boolean {
  return posix.normalize(a) === posix.normalize(b);
}

const tools = ['llvm-dwarfdump', 'llvm-readelf'].filter((t) => !hasTool(t));

describe('.BTF.ext against DWARF and the symbol table', () => {
  if (tools.length > 0) {
    console.log(`SKIP: ${tools.join(', ')} missing; .BTF.ext peer tests are not run`);
    return;
  }
  let lines = 0;
  let funcs = 0;
  let funcStartLines = 0;
  let lineZero = 0;

  it.each(objects.map((o) => [o.obj.label, o] as const))('%s', (_label, { obj, btf, ext }) => {
    const parsed = parseBtfExt(ext!, parseBtf(btf));

    // Every line_info record is a row of the DWARF line table: same section, same byte
    // address, same file, line and column. The one exception clang makes on purpose is
    // the record at a function's first instruction, which may carry the function's
    // declaration line (DW_TAG_subprogram DW_AT_decl_line) with column 0 where DWARF's
    // first row has the line of the opening brace. (And see line 0 below.)
    const rows = dwarfLineRows(obj.path);
    expect(rows.length).toBeGreaterThan(0);
    const symbols = readelfSymbols(obj.path).filter((s) => s.type === 'FUNC' && s.section !== 'UND');
    const subprograms = new Map(dwarfDies(obj.path).flatMap((cu) => cu.children)
      .filter((d) => d.tag === 'DW_TAG_subprogram' && dieName(d) !== undefined)
      .map((d) => [dieName(d)!, d]));
    for (const sec of parsed.lineInfo) {
      for (const r of sec.records) {
        const what = `line_info ${sec.section}+${r.insnOff} ${r.fileName}:${r.line}:${r.column}`;
        const row = rows.find((d) => d.section === sec.section && d.address === r.insnOff &&
          d.line === r.line && d.column === r.column && samePath(d.file, r.fileName));
        if (row) {
          lines++;
          continue;
        }
        if (r.line === 0 && r.column === 0) {
          // Clang 14 also gives an ld_imm64 that has no source line of its own a record of
          // line 0; DWARF then has no row at that address, but the row covering it says
          // line 0 too.
          const covering = rows.filter((d) => d.section === sec.section && d.address <= r.insnOff).at(-1);
          expect(covering?.line, `${what}: line 0 where DWARF has a line`).toBe(0);
          lineZero++;
          continue;
        }
        const fn = symbols.find((s) => s.section === sec.section && s.value === r.insnOff);
        expect(fn, `${what}: neither a DWARF row nor a function start`).toBeDefined();
        const sp = subprograms.get(fn!.name);
        expect(sp, `${what}: no DW_TAG_subprogram for ${fn!.name}`).toBeDefined();
        expect(dieNumber(sp!, 'DW_AT_decl_line'), what).toBe(r.line);
        expect(samePath(dieString(sp!, 'DW_AT_decl_file') ?? '', r.fileName), what).toBe(true);
        expect(r.column, what).toBe(0);
        funcStartLines++;
      }
    }

    // func_info is exactly the set of FUNC symbols (name, section, st_value), and the
    // line text names the function on its first line.
    const fromExt = parsed.funcInfo.flatMap((s) => s.records.map((r) => `${s.section}:${r.insnOff}:${r.name}`)).sort();
    const fromElf = symbols.map((s) => `${s.section}:${s.value}:${s.name}`).sort();
    expect(fromExt).toEqual(fromElf);
    funcs += fromExt.length;

    // Offsets are byte offsets of instructions.
    for (const s of [...parsed.funcInfo, ...parsed.lineInfo, ...parsed.coreRelos]) {
      for (const r of s.records) expect(r.insnOff % 8).toBe(0);
    }
  });

  it('knows the CO-RE relocations lines.c asks for', () => {
    const probes = objects.filter((o) => o.obj.probe?.source === 'lines.c');
    expect(probes.length).toBeGreaterThan(0);
    for (const { btf, ext } of probes) {
      const b = parseBtf(btf);
      const relos = parseBtfExt(ext!, b).coreRelos;
      // The xdp program reads m->mark (field offset, "0:1"), asks whether m->proto exists
      // (__builtin_preserve_field_info kind 2, "0:2"), and the size of *m (type info kind 1
      // = TYPE_SIZE... in the builtin's own numbering, relocation kind 9).
      const xdp = relos.find((s) => s.section === 'xdp');
      expect(xdp).toBeDefined();
      const seen = xdp!.records.map((r) => `${r.accessString} ${r.kindName} ${b.types[r.typeId].name}`);
      expect(seen).toContain('0:1 FIELD_BYTE_OFFSET pkt_meta');
      expect(seen).toContain('0:2 FIELD_EXISTS pkt_meta');
      expect(seen).toContain('0 TYPE_SIZE pkt_meta');
    }
  });

  it('compared a real number of records', () => {
    console.log(`.BTF.ext: ${objects.length} objects, ${lines} line_info records matched DWARF rows, ${funcStartLines} matched function declarations, ${lineZero} line-0 records lay in DWARF line-0 ranges, ${funcs} func_info records matched symbols`);
    expect(objects.length).toBeGreaterThanOrEqual(16);
    expect(lines).toBeGreaterThan(100);
  });
});
