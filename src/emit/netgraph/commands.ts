/**
 * The ngctl commands the scripts use, as data, and their one-line text. Every name is
 * validated and every program encoded here, when the line is printed, and each line is
 * held to the ngctl limits (limits.ts): nothing reaches a script unchecked.
 *
 *   mkpeer em0: bpf lower lower         new ng_bpf node; its hook lower <-> em0's lower
 *   name em0:lower b2p_em0              names the node at the other end of em0's lower
 *   connect em0: b2p_em0: upper upper   em0's upper <-> the node's hook upper
 *   msg b2p_em0: setprogram {...}       the program of one of the node's hooks
 *   shutdown b2p_em0:                   removes the node and both its hooks
 */
import { hookProgramAscii, type HookProgram } from './ascii.js';
import { checkNgctlLine } from './limits.js';
import { assertHookName, assertNodeName, etherNodeName } from './names.js';

export type NgctlCommand =
  | { readonly kind: 'mkpeer'; readonly ether: string; readonly hook: string; readonly peerHook: string }
  | { readonly kind: 'name'; readonly ether: string; readonly hook: string; readonly node: string }
  | { readonly kind: 'connect'; readonly ether: string; readonly node: string; readonly hook: string; readonly peerHook: string }
  | { readonly kind: 'setprogram'; readonly node: string; readonly hookProgram: HookProgram }
  | { readonly kind: 'shutdown'; readonly node: string };

export function renderNgctl(c: NgctlCommand): string {
  const what = `ngctl ${c.kind}`;
  switch (c.kind) {
    case 'mkpeer':
      return checkNgctlLine(`mkpeer ${etherNodeName(c.ether, what)}: bpf ${assertHookName(c.hook, what)} ${assertHookName(c.peerHook, what)}`, what);
    case 'name':
      return checkNgctlLine(`name ${etherNodeName(c.ether, what)}:${assertHookName(c.hook, what)} ${assertNodeName(c.node, what)}`, what);
    case 'connect':
      return checkNgctlLine(`connect ${etherNodeName(c.ether, what)}: ${assertNodeName(c.node, what)}: ${assertHookName(c.hook, what)} ${assertHookName(c.peerHook, what)}`, what);
    case 'setprogram':
      return checkNgctlLine(`msg ${assertNodeName(c.node, what)}: setprogram ${hookProgramAscii(c.hookProgram)}`, `${what} of ${c.node} hook ${c.hookProgram.thisHook}`);
    case 'shutdown':
      return checkNgctlLine(`shutdown ${assertNodeName(c.node, what)}:`, what);
    default: {
      const never: never = c;
      return never;
    }
  }
}
