import { fail } from '../errors.js';
import { referencedTypeIds, type Btf, type BtfType } from './types.js';

/**
 * References that need the target's layout to lay out the referrer: everything but
 * pointers. A cycle through these can never be sized (the kernel's BTF verifier says
 * "Loop detected"); a cycle through a pointer is an ordinary linked structure.
 */
function byValueTargets(t: BtfType): readonly number[] {
  return t.kind === 'ptr' ? [] : referencedTypeIds(t);
}

/**
 * Fails with BTF_TYPE_CYCLE if any type reaches itself without passing through a
 * pointer. Iterative depth-first search, linear in types plus references, so hostile
 * BTF cannot exhaust the stack.
 */
export function checkTypeCycles(btf: Btf): void {
  const state = new Uint8Array(btf.types.length); // 0 new, 1 on the path, 2 done
  for (let root = 1; root < btf.types.length; root++) {
    if (state[root] !== 0) continue;
    const stack: { id: number; next: number; targets: readonly number[] }[] = [];
    const push = (id: number): void => {
      state[id] = 1;
      stack.push({ id, next: 0, targets: byValueTargets(btf.types[id]) });
    };
    push(root);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next >= top.targets.length) {
        state[top.id] = 2;
        stack.pop();
        continue;
      }
      const target = top.targets[top.next++];
      if (target <= 0 || target >= btf.types.length) continue; // ranges were checked at parse time
      if (state[target] === 1) {
        const t = btf.types[target];
        fail('BTF_TYPE_CYCLE', `type [${target}] ${t.kind} '${t.name}' contains itself (through [${top.id}])`);
      }
      if (state[target] === 0) push(target);
    }
  }
}
