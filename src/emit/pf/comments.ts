/**
 * The comment lines above each emitted rule: what the program did (the IR note), the
 * rule id and fidelity, and where it came from (object, program, section:slots, source
 * lines), so a pf rule can be followed back to the eBPF instructions. Lines are plain
 * text; the template prints them through the comment helper, which encodes them.
 */
import type { Fidelity, IrRule, Provenance } from '../../ir/types.js';

/** `3-5,9` for slots 3 4 5 9. */
export function slotRanges(slots: readonly number[]): string {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function fidelityText(f: Fidelity): string {
  switch (f.level) {
    case 'exact': return 'exact';
    case 'approximate': return `approximate: ${f.reason}`;
  }
}

function provenanceLine(p: Provenance): string {
  const sources = p.sources.map((s) => `${s.file}:${s.line}`).join(' ');
  return `  from ${p.object} ${p.program} ${p.section}:${slotRanges(p.slots)}${sources ? ` (${sources})` : ''}`;
}

export function ruleComments(rule: IrRule, extra: readonly string[] = []): string[] {
  return [rule.note, `rule ${rule.id} (${fidelityText(rule.fidelity)})`, ...rule.provenance.map(provenanceLine), ...extra];
}
