/**
 * What the user space's map updates become on FreeBSD, derived from the IR: a set's map
 * becomes pfctl table commands (in the instance's anchor for family sets), a family's key
 * map becomes anchor loads and flushes, a pipe whose rate is in a map becomes dnctl pipe
 * reconfiguration. The recognisers' own description (`ir.controlPlane`) is carried along.
 * One document, printed as control-plane.md (template) and control-plane.json.
 */
import { assertName } from '../../ir/names.js';
import type { IrControlPlane, PolicyIR } from '../../ir/types.js';
import type { PipeNumber } from './pipes.js';
import { INLINE_TABLE_MAX } from './tables.js';

type Change = 'insert' | 'delete' | 'replace';
const CHANGES: readonly Change[] = ['insert', 'delete', 'replace'];

export interface ControlPlaneUpdate {
  readonly change: Change;
  readonly commands: readonly string[];
  /** What the recogniser said the change becomes, when it said so. */
  readonly becomes: string | null;
}

export interface ControlPlaneMap {
  readonly map: string;
  readonly role: string | null;
  readonly updates: readonly ControlPlaneUpdate[];
  readonly notes: readonly string[];
}

export interface ControlPlaneDoc {
  readonly release: string;
  readonly intro: readonly string[];
  readonly anchors: readonly {
    readonly family: string;
    readonly keyedBy: string;
    readonly call: string;
    readonly load: string;
    readonly unload: string;
    readonly instances: readonly { readonly anchor: string; readonly interface: string; readonly key: string; readonly ifindex: number; readonly file: string }[];
  }[];
  readonly maps: readonly ControlPlaneMap[];
  readonly pipes: readonly (PipeNumber & { readonly anchor: string | null; readonly command: string })[];
}

interface Draft {
  role: string | null;
  commands: Record<Change, string[]>;
  becomes: Record<Change, string[]>;
  notes: string[];
}

function draftFor(drafts: Map<string, Draft>, map: string): Draft {
  let d = drafts.get(map);
  if (!d) {
    d = { role: null, commands: { insert: [], delete: [], replace: [] }, becomes: { insert: [], delete: [], replace: [] }, notes: [] };
    drafts.set(map, d);
  }
  return d;
}

function tableCommands(d: Draft, anchor: string | null, table: string): void {
  const a = anchor === null ? '' : `-a ${anchor} `;
  const t = assertName('table', table, 'table');
  d.commands.insert.push(`pfctl ${a}-t ${t} -T add <prefix>`);
  d.commands.delete.push(`pfctl ${a}-t ${t} -T delete <prefix>`);
  d.commands.replace.push(`pfctl ${a}-t ${t} -T replace -f <file>`);
}

function addIrEntries(drafts: Map<string, Draft>, entries: readonly IrControlPlane[]): void {
  for (const e of entries) {
    const d = draftFor(drafts, e.map);
    d.role = d.role === null ? e.role : `${d.role}; ${e.role}`;
    for (const op of e.operations) d.becomes[op.change].push(op.becomes);
  }
}

export function controlPlaneDoc(ir: PolicyIR, pipes: readonly PipeNumber[]): ControlPlaneDoc {
  const drafts = new Map<string, Draft>();
  for (const set of ir.sets) {
    const d = draftFor(drafts, set.source.map);
    if (set.scope.kind === 'global') {
      tableCommands(d, null, set.name);
    } else {
      const family = assertName('anchor', set.scope.family, 'family');
      tableCommands(d, `${family}/<instance>`, set.name);
      d.notes.push(`the outer key selects the instance: table <${set.name}> of anchor ${family}/<instance>`);
    }
    if (set.valueCondition !== null) d.notes.push(`only entries whose value ${set.valueCondition} belong to table <${set.name}>`);
  }
  for (const family of ir.families) {
    const f = assertName('anchor', family.name, 'family');
    const d = draftFor(drafts, family.keyedBy.map);
    const load = `pfctl -a ${f}/<instance> -f anchors/${f}/<instance>.conf`;
    d.commands.insert.push(load);
    d.commands.replace.push(load);
    d.commands.delete.push(`pfctl -a ${f}/<instance> -F all`);
    d.notes.push(`a new instance needs its anchor file first (bpf2pf translate with a snapshot that holds it); pipes of family ${f} are numbered id * 1000 + instance index`);
  }
  for (const pipe of ir.pipes) {
    if (pipe.rate.kind !== 'map') continue;
    const d = draftFor(drafts, pipe.rate.map);
    const number = pipe.scope.kind === 'family' ? `<${pipe.id} * 1000 + instance index>` : String(pipe.id);
    d.commands.insert.push(`dnctl pipe ${number} config bw <8 * ${pipe.rate.field}>bit/s`);
    d.commands.replace.push(`dnctl pipe ${number} config bw <8 * ${pipe.rate.field}>bit/s`);
    d.commands.delete.push(`dnctl pipe ${number} delete`);
  }
  addIrEntries(drafts, ir.controlPlane);

  const maps: ControlPlaneMap[] = [...drafts.keys()].sort().map((map) => {
    const d = drafts.get(map) as Draft;
    return {
      map,
      role: d.role,
      updates: CHANGES.filter((c) => d.commands[c].length > 0 || d.becomes[c].length > 0).map((c) => ({
        change: c,
        commands: d.commands[c],
        becomes: d.becomes[c].length > 0 ? d.becomes[c].join('; ') : null,
      })),
      notes: [...new Set(d.notes)],
    };
  });

  return {
    release: ir.target.release,
    intro: [
      'Commands run from the output directory (table and anchor files are named relative to it).',
      '<instance> is the anchor component of a family instance, <prefix> an address or CIDR prefix, <file> a file of prefixes, one per line.',
      `A table of more than ${INLINE_TABLE_MAX} entries is loaded from tables/ (tables/<family>/<instance>/ for an instance), a file of the same form.`,
      '-T replace is atomic for the table; an anchor load (-a A -f F) replaces the anchor\'s rules and tables in one transaction.',
    ],
    anchors: ir.families.map((family) => {
      const f = assertName('anchor', family.name, 'family');
      return {
        family: f,
        keyedBy: family.keyedBy.map,
        call: `anchor "${f}/*"`,
        load: `pfctl -a ${f}/<instance> -f anchors/${f}/<instance>.conf`,
        unload: `pfctl -a ${f}/<instance> -F all`,
        instances: family.instances.map((i) => {
          const path = `${f}/${assertName('anchor', i.name, 'instance')}`;
          return { anchor: path, interface: assertName('interface', i.interface, 'instance interface'), key: i.key, ifindex: i.ifindex, file: `anchors/${path}.conf` };
        }),
      };
    }),
    maps,
    pipes: pipes.map((p) => {
      const pipe = ir.pipes.find((q) => q.id === p.pipe);
      const rate = !pipe ? '?' : pipe.rate.kind === 'const' ? `${pipe.rate.bytesPerSecond * 8}bit/s` : `<8 * ${pipe.rate.map}.${pipe.rate.field}>bit/s`;
      return { ...p, anchor: p.family !== null && p.instance !== null ? `${p.family}/${p.instance}` : null, command: `dnctl pipe ${p.number} config bw ${rate}` };
    }),
  };
}
