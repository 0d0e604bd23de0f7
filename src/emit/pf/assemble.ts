/**
 * From the IR to the views the templates print: pf.conf (macros, tables, options,
 * 14.x translation section, filter rules with the family anchor calls in place) and one
 * anchor file per family instance. Statement order is pfctl's (pf.md §1.1).
 */
import type { Finding, IrFamily, IrRule } from '../../ir/types.js';
import { buildFilterRule } from './build-rule.js';
import { ruleComments } from './comments.js';
import { interfaceOf, type EmitContext, type InstanceRef } from './context.js';
import { layoutRules } from './layout.js';
import { isRoutedNat, logicalRouteTarget } from '../../ir/routed-nat.js';
import { checkLegacyRule, toLegacy } from './legacy.js';
import type { PfAnchorCall, PfBlock, PfHost, PfIfRef, PfStatement, PfTableDef } from './model.js';
import { limitSettings, timeoutSettings } from './options.js';
import { buildTable, type TableFile } from './tables.js';

export interface FileView {
  readonly header: readonly string[];
  readonly macros: readonly { readonly name: string; readonly value: string }[];
  readonly tables: readonly PfTableDef[];
  readonly translation: readonly PfBlock[];
  readonly filter: readonly PfBlock[];
}

export interface MainView extends FileView {
  readonly timeouts: readonly [string, number][];
  readonly limits: readonly [string, number][];
  readonly reassemble: boolean;
}

export interface AnchorView extends FileView {
  readonly family: string;
  readonly instance: string;
  readonly path: string;
  /** The anchor's large tables, written beside it under tables/<family>/<instance>/. */
  readonly tableFiles: readonly TableFile[];
}

export interface Assembled {
  readonly main: MainView;
  /** pf.conf's large tables, under tables/. */
  readonly tableFiles: readonly TableFile[];
  readonly anchors: readonly AnchorView[];
  readonly findings: readonly Finding[];
}

interface Blocks {
  readonly translation: PfBlock[];
  readonly filter: PfBlock[];
}

function ruleBlocks(ctx: EmitContext, rule: IrRule, inst: InstanceRef | null, out: Blocks): void {
  const built = buildFilterRule(ctx, rule, inst);
  if (built.kind === 'empty') {
    out.filter.push({ comments: ruleComments(rule, [`nothing to match here: ${built.reason}`]), statement: null });
    return;
  }
  if (!ctx.release.legacyTranslation || rule.translations.length === 0) {
    out.filter.push({ comments: ruleComments(rule), statement: built.rule });
    return;
  }
  const { translation, filter } = toLegacy(rule, built.rule, inst ? inst.instance.name : null);
  const { kind, tag } = translation.link;
  out.translation.push({
    comments: [
      rule.note,
      kind === 'sets'
        ? `rule ${rule.id}: legacy ${translation.type}; the filter rule tagged ${tag} decides what it translated`
        : `rule ${rule.id}: legacy nat on the route-to interface, of the packets the filter rule passed and tagged ${tag}`,
    ],
    statement: translation,
  });
  out.filter.push({
    comments: ruleComments(rule, [
      kind === 'sets'
        ? `FreeBSD 14.x: sees the packet after the legacy ${translation.type} (tagged ${tag})`
        : `FreeBSD 14.x: tags what it passes (${tag}) for the legacy nat on its route-to interface`,
    ]),
    statement: filter,
  });
}

/** Logical interfaces a file's statements name, so the file defines their macros. */
function macrosUsed(blocks: readonly PfBlock[]): Set<string> {
  const names = new Set<string>();
  const ref = (r: PfIfRef | undefined): void => {
    if (r?.kind === 'macro') names.add(r.name);
  };
  const host = (h: PfHost): void => {
    if (h.kind === 'dynamic') ref(h.iface);
  };
  for (const b of blocks) {
    const s: PfStatement | null = b.statement;
    if (s === null) continue;
    ref(s.on);
    if (s.kind === 'anchor') continue;
    host(s.from.host);
    host(s.to.host);
    if (s.kind === 'legacy') host(s.pool);
    else {
      ref(s.routeTo?.iface);
      for (const t of s.translations) host(t.pool);
    }
  }
  return names;
}

/**
 * The anchor call for a family's rules, restricted to their interface and direction
 * when all of them share one (so other packets skip the anchors entirely).
 */
function familyCall(ctx: EmitContext, family: IrFamily, rules: readonly IrRule[], type: PfAnchorCall['type']): PfAnchorCall {
  interfaceOf(ctx, family.interface, `family ${family.name}`);
  const dirs = new Set(rules.map((r) => r.direction));
  const direction = dirs.size === 1 && type === 'anchor' ? rules[0].direction : undefined;
  // A routed nat runs on its route-to interface (legacy.ts); one the family's instances
  // route to has no single logical name, so the call then names no interface.
  const ifaces = new Set(rules.map((r) => (type === 'nat-anchor' && isRoutedNat(r) ? logicalRouteTarget(r) : r.interface)));
  const only = ifaces.size === 1 ? [...ifaces][0] : undefined;
  const on: PfIfRef | undefined = only !== undefined && only !== null ? { kind: 'macro', name: only } : undefined;
  return { kind: 'anchor', type, path: [family.name, '*'], ...(direction ? { direction } : {}), ...(on ? { on } : {}) };
}

export function assemble(ctx: EmitContext, header: readonly string[], tableFileRoot: string): Assembled {
  const { ir } = ctx;
  if (ctx.release.legacyTranslation) ir.rules.forEach((_, i) => checkLegacyRule(ctx, i));
  const findings: Finding[] = [];
  const tableFiles: TableFile[] = [];
  let tableEntries = 0;

  const mainTables: PfTableDef[] = [];
  for (const set of ir.sets.filter((s) => s.scope.kind === 'global')) {
    const t = buildTable(set, set.contents, 'tables', tableFileRoot, 'pf.conf');
    mainTables.push(t.def);
    if (t.file) tableFiles.push(t.file);
    if (t.finding) findings.push(t.finding);
    tableEntries += set.contents.length;
  }

  const main: Blocks = { translation: [], filter: [] };
  const anchorBlocks = new Map<string, Blocks>();
  for (const item of layoutRules(ctx)) {
    if (item.kind === 'rule') {
      ruleBlocks(ctx, ir.rules[item.index], null, main);
      continue;
    }
    const family = ctx.families.get(item.family);
    if (!family) continue; // unreachable: the context checked every family a rule names
    const rules = item.indices.map((i) => ir.rules[i]);
    main.filter.push({
      comments: [`family ${family.name}: one anchor per instance (the keys of map ${family.keyedBy.map}), holding rules ${rules.map((r) => r.id).join(', ')}`],
      statement: familyCall(ctx, family, rules, 'anchor'),
    });
    if (ctx.release.legacyTranslation) {
      for (const type of ['nat', 'rdr'] as const) {
        const translating = rules.filter((r) => r.translations.some((t) => t.kind === type));
        if (translating.length > 0) {
          main.translation.push({ comments: [`family ${family.name}: legacy ${type} rules of each instance anchor`], statement: familyCall(ctx, family, translating, `${type}-anchor`) });
        }
      }
    }
    family.instances.forEach((instance, index) => {
      const blocks: Blocks = { translation: [], filter: [] };
      for (const rule of rules) ruleBlocks(ctx, rule, { family, instance, index }, blocks);
      anchorBlocks.set(`${family.name}/${instance.name}`, blocks);
    });
  }

  const anchors: AnchorView[] = [];
  let anchorCount = 0;
  for (const family of ir.families) {
    anchorCount += 1 + family.instances.length;
    const familySets = ir.sets.filter((s) => s.scope.kind === 'family' && s.scope.family === family.name);
    for (const instance of family.instances) {
      const path = `${family.name}/${instance.name}`;
      const tables: PfTableDef[] = [];
      const anchorTableFiles: TableFile[] = [];
      for (const set of familySets) {
        const contents = instance.sets[set.name] ?? [];
        const t = buildTable(set, contents, `tables/${path}`, tableFileRoot, `anchor ${path}`);
        tables.push(t.def);
        if (t.file) anchorTableFiles.push(t.file);
        if (t.finding) findings.push(t.finding);
        tableEntries += contents.length;
      }
      const blocks = anchorBlocks.get(path) ?? { translation: [], filter: [] };
      const used = macrosUsed([...blocks.translation, ...blocks.filter]);
      anchors.push({
        family: family.name,
        instance: instance.name,
        path,
        header: [
          `bpf2pf: anchor ${path} for FreeBSD ${ctx.release.name} pf`,
          `instance key ${instance.key} (ifindex ${instance.ifindex}) of map ${family.keyedBy.map}, on interface ${instance.interface}`,
          `load (from the output directory): pfctl -a ${path} -f anchors/${path}.conf`,
        ],
        macros: ir.interfaces.filter((i) => used.has(i.name)).map((i) => ({ name: i.name, value: i.freebsd })),
        tables,
        tableFiles: anchorTableFiles,
        translation: blocks.translation,
        filter: blocks.filter,
      });
    }
  }

  const warnings = findings.map((f) => `WARNING: ${f.message}`);
  return {
    main: {
      header: [...header, ...warnings],
      macros: ir.interfaces.map((i) => ({ name: i.name, value: i.freebsd })),
      tables: mainTables,
      timeouts: timeoutSettings(ir.state),
      limits: limitSettings(ir.state, { tableEntries, anchors: anchorCount }, ctx.release.legacyTranslation),
      reassemble: ir.state.reassemble,
      translation: main.translation,
      filter: main.filter,
    },
    anchors,
    tableFiles,
    findings,
  };
}
