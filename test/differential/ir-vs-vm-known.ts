import type { Difference } from './compare-outcomes.js';
import type { IrDecided } from './ir-side.js';
import type { VmOutcome } from './vm-side.js';

/**
 * Translator bugs ir-vs-vm.test.ts found that are not fixed yet. Each names its cause and
 * recognises the disagreements it explains; the test prints how many each accounts for,
 * fails on any disagreement none explains, and fails when an entry explains none (the bug
 * is fixed or its disagreements changed shape): delete the entry then. An empty list makes
 * the test strict.
 */
export interface KnownTranslatorBug {
  readonly id: string;
  /** What eBPF does, what the rule says, where the fix belongs. */
  readonly cause: string;
  explains(d: ObservedDisagreement): boolean;
}

export interface ObservedDisagreement {
  readonly program: string;
  readonly vm: VmOutcome;
  readonly ir: IrDecided;
  readonly differences: readonly Difference[];
}

// allow-opts (IrRule.allowOpts) and static-port (nat staticPort) were fixed after this
// test found them; the list is empty, so every disagreement fails the test.
export const KNOWN_TRANSLATOR_BUGS: readonly KnownTranslatorBug[] = [];
