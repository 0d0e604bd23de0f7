import type { Finding } from '../../ir/types.js';
import { sourceAt } from '../source-lines.js';
import type { ProgramInput, ProgramPart } from './program-rules.js';

/**
 * Replies the programs route and pf does not. A program that sends packets of known
 * connections to the interface their session entry names, where the entries are written
 * by another program's rules, is routing the replies of connections those rules created
 * (Coppice: from_world sends a sandbox's returning traffic to the TAP its egress_sessions
 * entry names). pf's state translates such replies back, but the route-to of the rule that made
 * the state applies only in the direction it was made (pf.md 2.9): the replies go where
 * the routing table says. The report must say so; "pf state carries it" is not the whole
 * story.
 */
export function sessionReplyFindings(parts: readonly { readonly input: ProgramInput; readonly part: ProgramPart }[]): Finding[] {
  const out: Finding[] = [];
  for (const { input, part } of parts) {
    for (const route of part.sessionRoutes) {
      if (part.sessionWrites.includes(route.map)) continue;
      const writers = parts.filter((p) => p.part.sessionWrites.includes(route.map)).map((p) => `${p.input.program.name} (on ${p.input.attach.attach.interface})`);
      if (writers.length === 0) continue;
      out.push({
        code: 'B2P-STATE-REPLY',
        severity: 'warning',
        message:
          `${route.paths === 1 ? '1 path' : `${route.paths} paths`} of ${input.program.name} send packets of connections the rules of ${writers.join(', ')} create ` +
          `to the interface their ${route.map} entry names (${route.map}.${route.member}): these are replies, and pf's state translates them back but does not route them ` +
          `(a rule's route-to applies only in the direction that made the state), so they leave by the routing table`,
        object: input.path,
        program: input.program.name,
        section: route.slot.section,
        slot: route.slot.slot,
        source: sourceAt(input.object, route.slot),
        construct: 'bpf_redirect to the interface a session entry names',
        suggestion:
          'make the routing table reach each of those hosts through its own interface; where hosts behind different interfaces share one address it cannot, and the rules that create the connections need reply-to (on rules without route-to) or one FIB per interface (rtable)',
      });
    }
  }
  return out;
}

/**
 * The programs' findings with their unrouted replies in mind: the B2P-STATE finding of a
 * program that routes replies pf does not (a B2P-STATE-REPLY of the same program) must
 * not say there is nothing to do.
 */
export function withUnroutedReplies(findings: readonly Finding[], replies: readonly Finding[]): Finding[] {
  const unrouted = new Set(replies.map((r) => `${r.object}\0${r.program}`));
  return findings.map((f) =>
    f.code === 'B2P-STATE' && unrouted.has(`${f.object}\0${f.program}`)
      ? { ...f, suggestion: 'route the replies of these connections as B2P-STATE-REPLY says (pf state does not route them); state timeouts come from the profile (set timeout)' }
      : f,
  );
}
