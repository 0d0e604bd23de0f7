/**
 * Where each rule goes. Global rules stay in pf.conf in IR order. A family's rules live
 * in its instance anchors (`family/instance`), which pf.conf evaluates with one
 * `anchor "family/*"` rule at the position of the family's first rule, so the family's
 * rules must be contiguous in evaluation order. A later family rule separated from its
 * run by other rules is moved up to it when it commutes with each of them
 * (overlap.ts); otherwise the IR cannot be laid out and emission fails naming both.
 */
import { fail } from '../../errors.js';
import type { EmitContext } from './context.js';
import { commutes } from './overlap.js';

export type LayoutItem =
  /** A global rule: its index in `ir.rules`. */
  | { readonly kind: 'rule'; readonly index: number }
  /** One anchor call: the family's rules (indices in `ir.rules`) in evaluation order. */
  | { readonly kind: 'family'; readonly family: string; readonly indices: readonly number[] };

type MutableItem = { kind: 'rule'; index: number } | { kind: 'family'; family: string; indices: number[] };

export function layoutRules(ctx: EmitContext): readonly LayoutItem[] {
  const rules = ctx.ir.rules;
  const items: MutableItem[] = [];
  rules.forEach((rule, index) => {
    if (rule.scope.kind === 'global') {
      items.push({ kind: 'rule', index });
      return;
    }
    const family = rule.scope.family;
    const at = items.findIndex((it) => it.kind === 'family' && it.family === family);
    const run = items[at];
    if (run === undefined || run.kind !== 'family') {
      items.push({ kind: 'family', family, indices: [index] });
      return;
    }
    for (const between of items.slice(at + 1)) {
      for (const o of between.kind === 'rule' ? [between.index] : between.indices) {
        if (!commutes(rules[o], rule, ctx)) {
          fail('EMIT_UNSUPPORTED', `rule ${rule.id}: family ${family} is evaluated in one anchor at rule ${rules[run.indices[0]].id}, and rule ${rule.id} cannot be moved before rule ${rules[o].id} (they may match the same packets)`);
        }
      }
    }
    run.indices.push(index);
  });
  return items;
}
