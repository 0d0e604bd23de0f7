/**
 * Prints the statement models of model.ts as pf.conf text. Every name goes through
 * src/ir/names.ts and every address through address.ts here, at the last moment, so a
 * value that skipped a check while building still cannot reach the output. Word order
 * is FreeBSD's (pf.md §2.1): route-to right after `on`, before the address family.
 */
import { fail } from '../../errors.js';
import { assertName, quote } from '../../ir/names.js';
import { checkAddress, checkPrefix } from './address.js';
import type { PfAnchorCall, PfFilterRule, PfHost, PfHostMatch, PfIfRef, PfLegacyTranslation, PfPort, PfStatement, PfTranslationOption } from './model.js';

/** pfctl's letters for the TCP flag bits, lowest bit first (FIN .. CWR). */
const TCP_FLAG_LETTERS = 'FSRPAUEW';

/** Protocols printed by name: the ones every /etc/protocols has under this name. */
const PROTO_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

function int(n: number, lo: number, hi: number, what: string): string {
  if (!Number.isInteger(n) || n < lo || n > hi) fail('EMIT_BAD_IR', `${what} ${n} is outside ${lo}..${hi}`);
  return String(n);
}

export function ifRef(r: PfIfRef): string {
  switch (r.kind) {
    case 'macro': return `$${assertName('macro', r.name, 'interface macro')}`;
    case 'name': return assertName('interface', r.name, 'interface');
  }
}

export function tableRef(name: string): string {
  return `<${assertName('table', name, 'table')}>`;
}

export function host(h: PfHost): string {
  switch (h.kind) {
    case 'any': return 'any';
    case 'prefix': return checkPrefix(h.text, 'address').text;
    case 'table': return tableRef(h.name);
    case 'dynamic': return `(${ifRef(h.iface)})`;
  }
}

function hostMatch(m: PfHostMatch): string {
  if (m.negate && m.host.kind === 'any') fail('EMIT_BAD_IR', '"! any" matches nothing');
  return `${m.negate ? '! ' : ''}${host(m.host)}`;
}

function portNumber(n: number): string {
  return int(n, 0, 65535, 'port');
}

export function port(p: PfPort): string {
  switch (p.op) {
    case ':': return `port ${portNumber(p.from)}:${portNumber(p.to)}`;
    case 'list':
      if (p.ports.length === 0) fail('EMIT_BAD_IR', 'an empty port list matches nothing');
      return p.ports.length === 1 ? `port = ${portNumber(p.ports[0])}` : `port { ${p.ports.map(portNumber).join(', ')} }`;
    default: return `port ${p.op} ${portNumber(p.port)}`;
  }
}

function protoSpec(protos: readonly number[]): string {
  const names = protos.map((p) => PROTO_NAMES[p] ?? int(p, 1, 255, 'protocol'));
  return names.length === 1 ? `proto ${names[0]}` : `proto { ${names.join(', ')} }`;
}

export function tcpFlags(bits: number): string {
  let out = '';
  for (let i = 0; i < 8; i++) if (bits & (1 << i)) out += TCP_FLAG_LETTERS[i];
  return out;
}

/** `from A [port] to B [port]`, or `all` when nothing is restricted. */
function fromTo(r: { from: PfHostMatch; fromPort?: PfPort; to: PfHostMatch; toPort?: PfPort }): string {
  if (r.from.host.kind === 'any' && !r.from.negate && r.to.host.kind === 'any' && !r.to.negate && !r.fromPort && !r.toPort) return 'all';
  const side = (m: PfHostMatch, p: PfPort | undefined): string => (p ? `${hostMatch(m)} ${port(p)}` : hostMatch(m));
  return `from ${side(r.from, r.fromPort)} to ${side(r.to, r.toPort)}`;
}

function translation(t: PfTranslationOption): string {
  switch (t.kind) {
    case 'nat-to': {
      const ports = t.ports ? ` port ${portNumber(t.ports.from)}${t.ports.to !== t.ports.from ? `:${portNumber(t.ports.to)}` : ''}` : '';
      return `${pool('nat-to', t.pool, ports)}${t.staticPort ? ' static-port' : ''}`;
    }
    case 'rdr-to': return pool('rdr-to', t.pool, t.port !== undefined ? ` port ${portNumber(t.port)}` : '');
    case 'binat-to': return pool('binat-to', t.pool, '');
  }
}

/** `nat-to <t> port 1:2 round-robin`: tables need a round-robin pool (pf.md §3). */
function pool(keyword: string, h: PfHost, ports: string): string {
  if (h.kind === 'any') fail('EMIT_BAD_IR', `${keyword} needs an address to translate to, not "any"`);
  return `${keyword} ${host(h)}${ports}${h.kind === 'table' ? ' round-robin' : ''}`;
}

export function renderFilterRule(r: PfFilterRule): string {
  const w: string[] = [r.action === 'block' ? 'block drop' : r.action, r.direction];
  if (r.quick) w.push('quick');
  w.push('on', ifRef(r.on));
  if (r.routeTo) {
    w.push('route-to', r.routeTo.nexthop !== undefined ? `(${ifRef(r.routeTo.iface)} ${checkAddress(r.routeTo.nexthop, 'route-to next hop').text})` : ifRef(r.routeTo.iface));
  }
  if (r.af) w.push(r.af);
  if (r.proto && r.proto.length > 0) w.push(protoSpec(r.proto));
  w.push(fromTo(r));
  if (r.flags === 'any') w.push('flags any');
  else if (r.flags) w.push(`flags ${tcpFlags(r.flags.set)}/${tcpFlags(r.flags.mask)}`);
  if (r.icmpType) {
    const code = r.icmpType.code !== undefined ? ` code ${int(r.icmpType.code, 0, 255, 'icmp code')}` : '';
    w.push(`${r.icmpType.v6 ? 'icmp6-type' : 'icmp-type'} ${int(r.icmpType.type, 0, 255, 'icmp type')}${code}`);
  }
  if (r.fragment) w.push('fragment');
  if (r.tagged) w.push(`${r.tagged.negate ? '! ' : ''}tagged ${quote(assertName('tag', r.tagged.tag, 'tagged'))}`);
  if (r.tag !== undefined) w.push(`tag ${quote(assertName('tag', r.tag, 'tag'))}`);
  if (r.dnpipe !== undefined) w.push(`dnpipe ${int(r.dnpipe, 1, 65535, 'dnpipe')}`);
  if (r.allowOpts) w.push('allow-opts');
  if (r.state === 'keep') w.push('keep state');
  else if (r.state === 'no') w.push('no state');
  if (r.label !== undefined) w.push(`label ${quote(assertName('label', r.label, 'label'))}`);
  for (const t of r.translations) w.push(translation(t));
  return w.join(' ');
}

export function renderLegacyTranslation(r: PfLegacyTranslation): string {
  const w: string[] = [r.type, 'on', ifRef(r.on)];
  if (r.af) w.push(r.af);
  if (r.proto && r.proto.length > 0) w.push(protoSpec(r.proto));
  w.push(fromTo(r));
  w.push(`${r.link.kind === 'sets' ? 'tag' : 'tagged'} ${quote(assertName('tag', r.link.tag, 'tag'))}`);
  w.push('->', host(r.pool));
  if (r.poolPort) {
    const to = r.poolPort.to !== undefined && r.poolPort.to !== r.poolPort.from ? `:${portNumber(r.poolPort.to)}` : '';
    w.push(`port ${portNumber(r.poolPort.from)}${to}`);
  }
  if (r.pool.kind === 'table') w.push('round-robin');
  if (r.staticPort) w.push('static-port');
  return w.join(' ');
}

export function anchorPath(path: readonly string[]): string {
  const parts = path.map((p, i) => (p === '*' && i === path.length - 1 ? p : assertName('anchor', p, 'anchor')));
  return quote(parts.join('/'), 'anchor path');
}

export function renderAnchorCall(a: PfAnchorCall): string {
  const w: string[] = [a.type, anchorPath(a.path)];
  // nat-anchor and rdr-anchor take no direction (pfctl's grammar has none there).
  if (a.direction && a.type === 'anchor') w.push(a.direction);
  if (a.on) w.push('on', ifRef(a.on));
  return w.join(' ');
}

export function renderStatement(s: PfStatement): string {
  switch (s.kind) {
    case 'filter': return renderFilterRule(s);
    case 'legacy': return renderLegacyTranslation(s);
    case 'anchor': return renderAnchorCall(s);
  }
}
