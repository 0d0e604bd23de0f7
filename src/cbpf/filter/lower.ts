/**
 * The resolved filter to a predicate over tests on packet bytes, on Ethernet (DLT
 * EN10MB: offset 0 is the destination MAC, no FCS).
 *
 * Everything here follows the order libpcap's gencode.c tests things in, because the
 * order is part of the meaning: a load past the end of the packet ends the program with
 * 0 (no match), so `not tcp port 80` differs from "tcp and port != 80" on short frames,
 * and which test comes first decides which load can fail. The primitives are in
 * lower-primitives.ts, arithmetic in lower-arith.ts.
 *
 * `vlan` moves the network layer 4 bytes on for everything written after it, in the
 * text, whatever the and/or structure (libpcap keeps the offset in its compiler state):
 * `vlan or ip` tests the EtherType at [16] for `ip`. The offset is threaded through in
 * reading order for the same result.
 */
import type { Filter } from './ast.js';
import { lowerRelation } from './lower-arith.js';
import { lowerPrimitive } from './lower-primitives.js';
import { and, not, or, TRUE, type Pred } from './pred.js';

/** Where the network layer starts: 14 on plain Ethernet, 4 more per `vlan` so far. */
export interface LinkState {
  readonly nl: number;
}

export const ETHERNET: LinkState = { nl: 14 };

export function lowerFilter(f: Filter): Pred {
  return lower(f, ETHERNET).pred;
}

function lower(f: Filter, st: LinkState): { pred: Pred; st: LinkState } {
  switch (f.kind) {
    case 'true': return { pred: TRUE, st };
    case 'and':
    case 'or': {
      const left = lower(f.left, st);
      const right = lower(f.right, left.st);
      return { pred: f.kind === 'and' ? and(left.pred, right.pred) : or(left.pred, right.pred), st: right.st };
    }
    case 'not': {
      const arg = lower(f.arg, st);
      return { pred: not(arg.pred), st: arg.st };
    }
    case 'primitive': return lowerPrimitive(f.prim, st);
    case 'relation': return { pred: lowerRelation(f.op, f.left, f.right, st), st };
    default: return unreachable(f);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled filter ${JSON.stringify(x)}`);
}
