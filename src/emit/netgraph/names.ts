/**
 * The names that reach the ngctl scripts: netgraph node names, hook names, and the
 * ng_ether node of an interface. Node and hook names are at most 31 characters
 * (NG_NODESIZ, NG_HOOKSIZ) and may not contain `.` or `:` (path syntax) or be an `[id]`;
 * we allow only `[A-Za-z0-9_-]` (ngbpf-cbpf.md §2.4), so a name can never open a path,
 * a string or a new word. Anything else is refused, never cleaned up.
 */
import { fail } from '../../errors.js';
import { assertName } from '../../ir/names.js';
import { NETGRAPH_LIMITS } from './limits.js';

const NETGRAPH_NAME = /^[A-Za-z0-9_-]+$/;

function check(kind: 'node' | 'hook', s: string, max: number, what: string): string {
  if (s.length === 0 || s.length > max || !NETGRAPH_NAME.test(s)) {
    fail('EMIT_BAD_NAME', `${what}: netgraph ${kind} name ${JSON.stringify(s)} must be 1..${max} characters of A-Z a-z 0-9 _ -`);
  }
  return s;
}

export function assertNodeName(s: string, what: string): string {
  return check('node', s, NETGRAPH_LIMITS.nodeName, what);
}

export function assertHookName(s: string, what: string): string {
  return check('hook', s, NETGRAPH_LIMITS.hookName, what);
}

/**
 * ng_ether names its node after the interface. A FreeBSD interface name with a `.`
 * (vlan(4) children such as em0.10) cannot be a netgraph name as it is; what ng_ether
 * calls such a node is not in the reference, so it is refused rather than guessed.
 */
export function etherNodeName(ifname: string, what: string): string {
  assertName('interface', ifname, what);
  if (!NETGRAPH_NAME.test(ifname)) {
    fail('EMIT_BAD_NAME', `${what}: interface ${JSON.stringify(ifname)} has characters a netgraph node name cannot have, so its ng_ether node cannot be addressed by name`);
  }
  return assertNodeName(ifname, what);
}

/** The ng_bpf node bpf2pf puts on an interface: `b2p_<ifname>` (at most 19 characters). */
export function filterNodeName(ifname: string, what: string): string {
  return assertNodeName(`b2p_${etherNodeName(ifname, what)}`, what);
}
