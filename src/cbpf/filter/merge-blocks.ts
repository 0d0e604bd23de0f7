/**
 * Cross-jumping: blocks with the same instructions and the same jump (same condition,
 * constant and targets) become one. Their tests may differ (`jgt #0x177a` on the IPv6
 * port in one, on the IPv4 port in the other, each loaded by the block before), but
 * running the same instructions from either way in does what each did, and a target
 * only ever relied on what every way into it left in A and X, which merging does not
 * change. The later copy is kept, so every jump still goes forward. Repeated until
 * stable, since merging two blocks can make their predecessors equal too.
 */
import type { Block, BlockEnd } from './codegen.js';

export function mergeBlocks(blocks: readonly Block[]): Block[] {
  let current = [...blocks];
  for (;;) {
    const keep = new Map<string, string>(); // signature -> id of the last block with it
    current.forEach((b) => keep.set(signature(b), b.id));
    const rename = new Map<string, string>();
    for (const b of current) {
      const survivor = keep.get(signature(b));
      if (survivor !== undefined && survivor !== b.id) rename.set(b.id, survivor);
    }
    if (rename.size === 0) return current;
    const to = (id: string): string => rename.get(id) ?? id;
    current = current.filter((b) => !rename.has(b.id)).map((b) => ({ ...b, end: retarget(b.end, to) }));
  }
}

function retarget(end: BlockEnd, to: (id: string) => string): BlockEnd {
  return end.kind === 'jump' ? { ...end, t: to(end.t), f: to(end.f) } : end;
}

function signature(b: Block): string {
  const code = b.code.map((i) => `${i.code}/${i.jt}/${i.jf}/${i.k}`).join(',');
  const end = b.end.kind === 'jump' ? `${b.end.cond}/${b.end.src}/${b.end.k}/${b.end.t}/${b.end.f}` : `ret/${b.end.k}`;
  return `${code}|${end}`;
}
