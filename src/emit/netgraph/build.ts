/**
 * The netgraph plan to the two scripts' views: per interface, the comments that say what
 * runs there and why, and the ngctl commands in the order that keeps traffic cut for the
 * shortest time (ngbpf-cbpf.md §1.7). A new ng_bpf hook drops every frame until its
 * program is set, and a program can only be set on a hook that exists, so:
 *
 *   mkpeer em0: bpf lower lower            frames from the wire: dropped from here ...
 *   name em0:lower b2p_em0
 *   msg b2p_em0: setprogram {lower...}     (its pass destination "upper" is not there yet)
 *   connect em0: b2p_em0: upper upper      ... to here; frames from the host: dropped from here ...
 *   msg b2p_em0: setprogram {upper...}     ... to here
 *
 * Each hook's program is the classifier's (ifMatch/ifNotMatch from onMatch/onMiss: the
 * other hook to pass, "" to drop) or, for the direction nothing classifies, PASS_ALL to
 * the other hook either way. Teardown shuts each node down, which disconnects both hooks;
 * ng_ether with neither hook connected passes traffic as it did before.
 */
import type { Finding, PolicyIR } from '../../ir/types.js';
import { fidelityText, slotRanges } from '../pf/comments.js';
import type { HookProgram } from './ascii.js';
import { renderNgctl, type NgctlCommand } from './commands.js';
import { oldReleaseFindings } from './limits.js';
import type { InterfacePlan, NetgraphPlan, Placement } from './plan.js';
import { hookProgram, PASS_ALL, type CompileClassifier } from './program.js';

export interface NetgraphBlockView {
  readonly comments: readonly string[];
  readonly commands: readonly NgctlCommand[];
}

export interface NetgraphScriptView {
  readonly header: readonly string[];
  readonly blocks: readonly NetgraphBlockView[];
}

type Hook = 'lower' | 'upper';
const OTHER: Readonly<Record<Hook, Hook>> = { lower: 'upper', upper: 'lower' };
const DIRECTION: Readonly<Record<Hook, string>> = {
  lower: 'frames the interface receives (from the wire; on a TAP, from the VM), lower -> upper',
  upper: 'frames the host sends out of it, upper -> lower',
};

function hookProgramFor(plan: InterfacePlan, hook: Hook, compile: CompileClassifier): { hp: HookProgram; comments: string[] } {
  const p: Placement | null = plan[hook];
  const other = OTHER[hook];
  if (!p) {
    return { hp: { thisHook: hook, ifMatch: other, ifNotMatch: other, program: PASS_ALL }, comments: [`  ${hook}: ${DIRECTION[hook]}: not classified, every frame passes unchanged`] };
  }
  const c = p.classifier;
  const where = p.instance ? ` (instance ${p.instance.family.name}/${p.instance.instance.name}, key ${p.instance.instance.key})` : '';
  const program = hookProgram(compile, p.predicate, `classifier ${c.name} on ${plan.ifname} ${hook}${where}`);
  const comments = [
    `  ${hook}: ${DIRECTION[hook]}: classifier ${c.name}${where}; match -> ${c.onMatch}, no match -> ${c.onMiss}`,
    `    fidelity: ${fidelityText(c.fidelity)}`,
    `    predicate: ${p.predicate}`,
    `    program: ${program.length} instructions`,
    ...c.provenance.map((pr) => `    from ${pr.object} ${pr.program} ${pr.section}:${slotRanges(pr.slots)}${pr.sources.length ? ` (${pr.sources.map((s) => `${s.file}:${s.line}`).join(' ')})` : ''}`),
  ];
  const dest = (verdict: 'pass' | 'drop'): string => (verdict === 'pass' ? other : '');
  return { hp: { thisHook: hook, ifMatch: dest(c.onMatch), ifNotMatch: dest(c.onMiss), program }, comments };
}

function setupHeader(ir: PolicyIR, plan: NetgraphPlan): string[] {
  const lines = [
    `bpf2pf: ng_bpf classifiers for FreeBSD ${ir.target.release}: ngctl -f netgraph.ngctl; undo with ngctl -f netgraph-teardown.ngctl`,
    'Needs the ng_ether and ng_bpf modules (kldload ng_ether ng_bpf, or ng_ether_load="YES" and ng_bpf_load="YES" in loader.conf).',
    'Each interface gets an ng_bpf node between the ng_ether hooks lower (the wire) and upper (the host stack).',
    'A new ng_bpf hook drops every frame until its program is set: per interface, lower is connected and its program set, then',
    '  upper; frames from the wire stop for three commands, frames the host sends for one. Run the whole file at once.',
    'ngctl -f stops at the first failing line: then run netgraph-teardown.ngctl to give the interfaces their traffic back.',
    'Programs return 0 (no match) or at least 262144 (match): ng_bpf would cut a frame to a smaller return value.',
    'Interfaces of a family instance created later need the same commands with their own interface and values.',
  ];
  if (plan.interfaces.length === 0) lines.push('This translation has no ng_bpf classifiers to install: loading this file changes nothing.');
  for (const u of plan.unplaced) lines.push(`NOT INSTALLED: classifier ${u.classifier.name} (${u.classifier.predicate}): ${u.why}`);
  return lines;
}

export interface NetgraphViews {
  readonly setup: NetgraphScriptView;
  readonly teardown: NetgraphScriptView;
  readonly findings: readonly Finding[];
}

export function buildNetgraph(ir: PolicyIR, plan: NetgraphPlan, compile: CompileClassifier): NetgraphViews {
  const findings: Finding[] = [...plan.findings];
  const setup: NetgraphBlockView[] = [];
  const teardown: NetgraphBlockView[] = [];
  for (const iface of plan.interfaces) {
    const lower = hookProgramFor(iface, 'lower', compile);
    const upper = hookProgramFor(iface, 'upper', compile);
    const commands: NgctlCommand[] = [
      { kind: 'mkpeer', ether: iface.ifname, hook: 'lower', peerHook: 'lower' },
      { kind: 'name', ether: iface.ifname, hook: 'lower', node: iface.node },
      { kind: 'setprogram', node: iface.node, hookProgram: lower.hp },
      { kind: 'connect', ether: iface.ifname, node: iface.node, hook: 'upper', peerHook: 'upper' },
      { kind: 'setprogram', node: iface.node, hookProgram: upper.hp },
    ];
    for (const [hook, hp] of [['lower', lower.hp], ['upper', upper.hp]] as const) {
      const p = iface[hook];
      if (!p) continue;
      const line = renderNgctl({ kind: 'setprogram', node: iface.node, hookProgram: hp });
      findings.push(...oldReleaseFindings(line, hp.program.length, `ng_bpf classifier ${p.classifier.name} on ${iface.ifname} ${hook}`));
    }
    setup.push({
      comments: [`${iface.ifname} (${iface.logical}): ng_bpf node ${iface.node} between ng_ether ${iface.ifname}: lower and upper`, ...lower.comments, ...upper.comments],
      commands,
    });
    teardown.push({ comments: [`${iface.ifname}: remove ${iface.node}; ${iface.ifname} passes traffic as before`], commands: [{ kind: 'shutdown', node: iface.node }] });
  }
  const teardownHeader = [
    `bpf2pf: removes the ng_bpf nodes netgraph.ngctl installs (FreeBSD ${ir.target.release}): ngctl -f netgraph-teardown.ngctl`,
    'Shutting a node down disconnects both its hooks; ng_ether with neither lower nor upper connected passes traffic normally.',
    'ngctl -f stops at the first failing line: if a node is not there (setup stopped before it), run the remaining lines by hand.',
  ];
  if (plan.interfaces.length === 0) teardownHeader.push('This translation installs no ng_bpf nodes: loading this file changes nothing.');
  return {
    setup: { header: setupHeader(ir, plan), blocks: setup },
    teardown: { header: teardownHeader, blocks: teardown.reverse() },
    findings,
  };
}
