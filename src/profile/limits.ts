import type { ProfileLimits } from './types.js';

/**
 * Profile limits as pf `set limit` values (pf.md §6.2):
 *
 * | profile       | pf limit      | why                                                        |
 * |---------------|---------------|------------------------------------------------------------|
 * | states        | states        | pf states replace the session map, one per connection      |
 * | sandboxes     | anchors       | one anchor per sandbox, plus the family's parent anchor    |
 * | src_nodes     | src-nodes     | as named                                                   |
 * | frags         | frags         | as named                                                   |
 * | table_entries | table-entries | as named                                                   |
 *
 * `anchors` is a limit from FreeBSD 15.0 on; 14.x has no such limit, so nothing is set
 * and nothing is lost. pf's `states` is global where the profile's usually sizes one
 * session map: said in `approximations`.
 */
export interface LimitMapping {
  readonly limits: Record<string, number>;
  readonly approximations: string[];
}

export function profileLimitsToPf(limits: ProfileLimits, release: string): LimitMapping {
  const out: Record<string, number> = {};
  const approximations: string[] = [];
  if (limits.states !== undefined) out.states = limits.states;
  if (limits.sandboxes !== undefined && Number(release.split('.')[0]) >= 15) out.anchors = limits.sandboxes + 1;
  if (limits.src_nodes !== undefined) out['src-nodes'] = limits.src_nodes;
  if (limits.frags !== undefined) out.frags = limits.frags;
  if (limits.table_entries !== undefined) out['table-entries'] = limits.table_entries;
  if (limits.states !== undefined) {
    approximations.push(`states ${limits.states}: pf's limit counts every state of every rule and interface, not only the sessions of one map`);
  }
  return { limits: out, approximations };
}
