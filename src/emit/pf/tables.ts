/**
 * pf tables from IR sets: in pf.conf for global sets, in each instance's anchor file for
 * family sets (an anchor's tables are private to it, pf.md §4).
 *
 * Contents go inline (`{ a, b }`) up to INLINE_TABLE_MAX entries, so a small set reads
 * where it is used; larger sets go to a file of one prefix per line
 * (tables/<name>.txt, tables/<family>/<instance>/<name>.txt), which is also what the
 * control plane feeds to `pfctl -T replace -f`. A set with no entries is declared
 * without a list: pfctl then keeps the table's current entries on reload (pf.md §4),
 * which is what a table filled at run time needs.
 */
import type { Finding, IrSet } from '../../ir/types.js';
import { fail } from '../../errors.js';
import { checkPrefix } from './address.js';
import { tableRequestFinding } from './limits.js';
import type { PfTableDef } from './model.js';

export const INLINE_TABLE_MAX = 16;

export interface TableFile {
  readonly path: string;
  readonly header: readonly string[];
  readonly entries: readonly string[];
}

export interface BuiltTable {
  readonly def: PfTableDef;
  readonly file: TableFile | null;
  readonly finding: Finding | null;
}

function describe(set: IrSet): string {
  const cond = set.valueCondition !== null ? `, entries whose value ${set.valueCondition}` : '';
  return `set ${set.name}: ${set.source.inner ? 'inner maps of ' : ''}map ${set.source.map}, key field ${set.source.keyField} (${set.element}${cond})`;
}

/**
 * One table. `dir` is the table-file directory inside the output (tables or
 * tables/<family>/<instance>); `fileRoot` is what pf.conf prefixes to it (empty for
 * paths relative to the directory pfctl runs in).
 */
export function buildTable(set: IrSet, contents: readonly string[], dir: string, fileRoot: string, where: string): BuiltTable {
  const af = set.element === 'ipv4' ? 'inet' : 'inet6';
  const entries = contents.map((c) => {
    const p = checkPrefix(c, `${where} table <${set.name}>`);
    if (p.af !== af) fail('EMIT_BAD_IR', `${where} table <${set.name}>: ${c} is not ${set.element}`);
    return p.text;
  });
  const comments = [describe(set)];
  const finding = tableRequestFinding(set.name, where, entries.length);
  if (finding) comments.push(`WARNING: ${finding.message}; ${finding.suggestion}`);
  if (entries.length <= INLINE_TABLE_MAX) {
    return { def: { name: set.name, comments, entries, file: null }, file: null, finding };
  }
  const path = `${dir}/${set.name}.txt`;
  return {
    def: { name: set.name, comments, entries: null, file: `${fileRoot}${path}` },
    file: { path, header: [describe(set), `${entries.length} entries; one prefix per line`], entries },
    finding,
  };
}
