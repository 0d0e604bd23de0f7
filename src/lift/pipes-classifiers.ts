import { bigUintOf } from '../bytes.js';
import { ruleSource } from './source-lines.js';
import type { Finding, IrClassifier, IrControlPlane, IrFamily, IrPipe, IrRule, IrScope } from '../ir/types.js';
import type { MapStateFile } from '../state/map-state.js';
import { fromHex, isValueEntry } from '../state/map-state.js';
import { familyName, type ProgramInput, type ProgramPart } from './synth/program-rules.js';

/**
 * The pipes and classifiers the recognisers found in each program, placed in the whole
 * IR: pipes numbered across programs and scoped to the program's family when the limiter
 * is per interface (each instance then carries its rate from the snapshot), the pass rules
 * that run through a limiter sent to its pipe, classifiers scoped like the program's rules,
 * and the control plane of published ARP entries.
 */
export interface Placed {
  readonly pipes: readonly IrPipe[];
  readonly families: readonly IrFamily[];
  readonly rules: readonly IrRule[];
  readonly classifiers: readonly IrClassifier[];
  readonly controlPlane: readonly IrControlPlane[];
  readonly findings: readonly Finding[];
}

type Part = { readonly input: ProgramInput; readonly part: ProgramPart };

/** A number at `offset` of a map value, in the object's byte order, as decimal text. */
function valueText(bytes: Uint8Array, offset: number, size: number, le: boolean): string | undefined {
  if (bytes.length < offset + size) return undefined;
  return bigUintOf(bytes.subarray(offset, offset + size), le).toString();
}

function scopeOf(input: ProgramInput, families: ReadonlyMap<string, IrFamily>): IrScope {
  const name = familyName(input);
  return families.has(name) ? { kind: 'family', family: name } : { kind: 'global' };
}

export function placePipesAndClassifiers(parts: readonly Part[], families: ReadonlyMap<string, IrFamily>, rules: readonly IrRule[], snapshot: MapStateFile | null): Placed {
  const findings: Finding[] = [];
  const pipes: IrPipe[] = [];
  const values = new Map<string, Map<string, Record<string, string>>>();
  const dnpipe = new Map<string, number>();
  for (const { input, part } of parts) {
    for (const draft of part.pipes) {
      const id = pipes.length + 1;
      const scope: IrScope = draft.perInterface ? scopeOf(input, families) : { kind: 'global' };
      const rate: IrPipe['rate'] = draft.rate.kind === 'map' ? { kind: 'map', map: draft.rate.map, field: draft.rate.field } : { kind: 'const', bytesPerSecond: draft.rate.bytesPerSecond };
      pipes.push({ id, scope, name: draft.name, rate, ...(draft.burstBytes !== undefined ? { burstBytes: draft.burstBytes } : {}), fidelity: draft.fidelity });
      // Each instance's rate: the rate map's entry under the instance's key.
      if (scope.kind === 'family' && draft.rate.kind === 'map') {
        const family = families.get(scope.family)!;
        const entries = snapshot?.maps[draft.rate.map]?.entries ?? [];
        const byInstance = values.get(family.name) ?? new Map<string, Record<string, string>>();
        for (const inst of family.instances) {
          const e = entries.find((x) => x.key === inst.key);
          const text = e && isValueEntry(e) ? valueText(fromHex(e.value), draft.rate.offset, draft.rate.size, input.object.littleEndian) : undefined;
          if (text !== undefined) byInstance.set(inst.name, { ...(byInstance.get(inst.name) ?? {}), [draft.rate.field]: text });
        }
        values.set(family.name, byInstance);
      }
      const own = part.rules.filter((r) => r.action === 'pass' && r.provenance.some((p) => p.slots.some((s) => draft.slots.has(`${p.section}:${s}`))));
      for (const r of own) {
        if (dnpipe.has(r.id)) continue;
        if (scope.kind === 'family' && (r.scope.kind !== 'family' || r.scope.family !== scope.family)) {
          findings.push({ code: 'B2P-RATE-SCOPE', severity: 'warning', message: `rule ${r.id} runs through the rate limiter of pipe ${id} (${draft.name}) but is not a rule of family ${scope.family}: it is not shaped`, object: input.path, program: r.program, section: r.provenance[0]?.section ?? null, slot: r.provenance[0]?.slots[0] ?? null, source: ruleSource(r, () => input.object), construct: 'rate limiter', suggestion: 'shape it by hand with dnpipe' });
          continue;
        }
        dnpipe.set(r.id, id);
      }
      findings.push({
        code: 'B2P-RATE-PIPE',
        severity: 'info',
        message: `${draft.mechanism === 'edt' ? 'departure-time pacing' : 'the token bucket'} of ${input.program.name} becomes dummynet pipe ${id} (${draft.name}, ${rate.kind === 'map' ? `bytes/s from ${rate.map}.${rate.field}${scope.kind === 'family' ? ', one pipe per instance' : ''}` : `${rate.bytesPerSecond} bytes/s`}): ${plural(own.filter((r) => dnpipe.get(r.id) === id).length, "pass rule")} send${own.filter((r) => dnpipe.get(r.id) === id).length === 1 ? "s" : ""} its traffic through it`,
        object: input.path,
        program: input.program.name,
        section: null,
        slot: null,
        source: null,
        construct: draft.mechanism === 'edt' ? 'EDT rate limit (skb->tstamp)' : 'token-bucket rate limit',
        suggestion: 'load dummynet.conf with dnctl before pf.conf',
      });
    }
  }
  const placedFamilies = [...families.values()].map((f) => {
    const byInstance = values.get(f.name);
    return byInstance ? { ...f, instances: f.instances.map((i) => ({ ...i, values: { ...i.values, ...(byInstance.get(i.name) ?? {}) } })) } : f;
  });

  const classifiers: IrClassifier[] = [];
  const controlPlane: IrControlPlane[] = [];
  for (const { input, part } of parts) {
    if (!part.classifier) continue;
    const group = input.profile.interfaces.find((i) => i.name === input.attach.attach.interface)?.group ?? false;
    // One node per real interface: a group's classifier is one per family instance.
    const scope: IrScope = group ? scopeOf(input, families) : { kind: 'global' };
    classifiers.push({ ...part.classifier, scope });
    const arp = part.proxyArp;
    if (arp) {
      const family = scope.kind === 'family' ? families.get(scope.family) : undefined;
      const mac = arp.mac ?? '<mac>';
      const on = family ? `the instance's interface (${family.interface} member)` : input.attach.attach.interface;
      const except = arp.except.length > 0 ? ` (the program answers every target but ${arp.except.join(', ')})` : '';
      controlPlane.push({
        map: family ? family.keyedBy.map : input.program.name,
        role: `proxy ARP of ${input.program.name}: published ARP entries`,
        operations: [
          { change: 'insert', becomes: `arp -s <address> ${mac} pub, for each address the peer on ${on} resolves${except}` },
          { change: 'delete', becomes: 'arp -d <address> for each address published for it' },
        ],
      });
    }
  }
  const shaped = rules.map((r) => (r.action === 'pass' && dnpipe.has(r.id) ? { ...r, dnpipe: dnpipe.get(r.id)! } : r));
  return { pipes, families: placedFamilies, rules: shaped, classifiers, controlPlane, findings };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
