import { intersect, isEmpty, sameSet } from '../value-set.js';
import type { PathView } from '../view/path-view.js';
import { UNFRAGMENTED } from './match.js';

/** The program's paths as pf filters their packets when it reassembles fragments first. */
export interface WholeDatagrams {
  /**
   * The paths unfragmented packets take. A fragment test every unfragmented packet passes
   * is gone: pf sees nothing else. A test that tells unfragmented packets apart (the DF
   * bit) stays, and is stated or closed as without reassembly.
   */
  readonly views: readonly PathView[];
  /** Paths only fragments take: pf never filters a fragment on its own, so no rule stands for them. */
  readonly fragmentsOnly: readonly PathView[];
}

/**
 * With `set reassemble yes` pf filters whole datagrams: a fragment waits for the rest and
 * the datagram is decided as one packet, as the program decides an unfragmented packet
 * with the same headers. The program decides each fragment on its own; what it does with
 * later fragments (no ports to read) has no counterpart.
 */
export function asWholeDatagrams(views: readonly PathView[]): WholeDatagrams {
  const out: PathView[] = [];
  const fragmentsOnly: PathView[] = [];
  for (const v of views) {
    const frag = v.fields.get('ip4.frag');
    if (!frag) {
      out.push(v);
      continue;
    }
    const whole = intersect(frag, UNFRAGMENTED);
    if (isEmpty(whole)) fragmentsOnly.push(v);
    else if (sameSet(whole, UNFRAGMENTED)) {
      out.push({
        ...v,
        atoms: v.atoms.filter((a) => !(a.kind === 'field' && a.field === 'ip4.frag')),
        fields: new Map([...v.fields].filter(([field]) => field !== 'ip4.frag')),
      });
    } else out.push(v);
  }
  return { views: out, fragmentsOnly };
}
