/**
 * The values inside pf.conf words: numbers, ports, protocols, TCP flag sets, ICMP types
 * and host words (address, prefix, interface). pfctl lexes all of them as plain strings
 * and decides in the grammar; so do we. Service names and hostnames are not resolved:
 * the emitter writes numbers and addresses only, and a name here is a syntax error.
 */
import type { IToken } from 'chevrotain';
import { isIP } from 'node:net';
import { fail } from '../src/errors.js';
import type { PfAddress, PfSourcePos } from './pf-ast.js';

export function posOf(t: IToken | undefined): PfSourcePos {
  // Undefined only while chevrotain records the grammar, when no result is used.
  return { line: t?.startLine ?? 0, column: t?.startColumn ?? 0 };
}

export function syntaxError(t: IToken, message: string): never {
  const p = posOf(t);
  fail('PF_SYNTAX', `line ${p.line}:${p.column}: ${message}`);
}

/** A token's text; '' for the placeholders chevrotain passes around while recording the grammar. */
export function imageOf(t: IToken | undefined): string {
  return t?.image ?? '';
}

export function unquote(t: IToken | undefined): string {
  const image = imageOf(t);
  return image.startsWith('"') ? image.slice(1, -1) : image;
}

export function numberOf(t: IToken, lo: number, hi: number, what: string): number {
  if (!/^[0-9]+$/.test(t.image) || Number(t.image) < lo || Number(t.image) > hi) syntaxError(t, `${what} '${t.image}' is not a number in ${lo}..${hi}`);
  return Number(t.image);
}

export function portOf(t: IToken, image: string = t.image): number {
  if (!/^[0-9]+$/.test(image) || Number(image) > 65535) syntaxError(t, `port '${image}' is not a number in 0..65535 (service names are not resolved)`);
  return Number(image);
}

const PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmp6: 58, 'ipv6-icmp': 58, ospf: 89, carp: 112, sctp: 132, pfsync: 240,
};

export function protocolOf(t: IToken): number {
  const known = PROTOCOLS[t.image];
  if (known !== undefined) return known;
  return numberOf(t, 1, 255, 'protocol');
}

const FLAG_LETTERS = 'FSRPAUEW';

function flagBits(t: IToken, letters: string): number {
  let bits = 0;
  for (const ch of letters) {
    const i = FLAG_LETTERS.indexOf(ch);
    if (i < 0) syntaxError(t, `'${ch}' is not a TCP flag (${FLAG_LETTERS})`);
    bits |= 1 << i;
  }
  return bits;
}

/** `S/SA` or `/SA`. */
export function flagsOf(t: IToken): { set: number; mask: number } {
  const m = /^([A-Z]*)\/([A-Z]+)$/.exec(t.image);
  if (!m) syntaxError(t, `'${t.image}' is not a flag set like S/SA`);
  const set = flagBits(t, m[1]);
  const mask = flagBits(t, m[2]);
  if ((set & ~mask) !== 0) syntaxError(t, `flags ${t.image}: the set is not inside the mask`);
  return { set, mask };
}

const ICMP4_TYPES: Readonly<Record<string, number>> = {
  echorep: 0, unreach: 3, squench: 4, redir: 5, althost: 6, echoreq: 8, routeradv: 9, routersol: 10, timex: 11,
  paramprob: 12, timereq: 13, timerep: 14, inforeq: 15, inforep: 16, maskreq: 17, maskrep: 18, trace: 30,
  dataconv: 31, mobredir: 32, 'ipv6-where': 33, 'ipv6-here': 34, mobregreq: 35, mobregrep: 36, photuris: 40,
};

const ICMP6_TYPES: Readonly<Record<string, number>> = {
  unreach: 1, toobig: 2, timex: 3, paramprob: 4, echoreq: 128, echorep: 129, groupqry: 130, listqry: 130,
  grouprep: 131, listenrep: 131, groupterm: 132, listendone: 132, routersol: 133, routeradv: 134,
  neighbrsol: 135, neighbradv: 136, redir: 137, routrrenum: 138, wrureq: 139, wrurep: 140, fqdnreq: 139,
  fqdnrep: 140, niqry: 139, nirep: 140, mtraceresp: 200, mtrace: 201,
};

export function icmpTypeOf(t: IToken, v6: boolean): number {
  const named = (v6 ? ICMP6_TYPES : ICMP4_TYPES)[t.image];
  return named !== undefined ? named : numberOf(t, 0, 255, 'icmp type');
}

function isAddressOrPrefix(word: string): boolean {
  const slash = word.indexOf('/');
  const addr = slash < 0 ? word : word.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = word.slice(slash + 1);
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** A host word: an address or prefix, one of pf's special words, or an interface name. */
export function addressOf(t: IToken): PfAddress {
  const w = t.image;
  if (w === 'self') return { kind: 'self' };
  if (w === 'no-route') return { kind: 'no-route' };
  if (w === 'urpf-failed') return { kind: 'urpf-failed' };
  if (isAddressOrPrefix(w)) return { kind: 'prefix', text: w };
  if (/^[A-Za-z][A-Za-z0-9_.-]*(:(network|broadcast|peer|0))?$/.test(w)) {
    if (w.includes(':')) syntaxError(t, `interface address modifiers (${w}) are outside the supported subset`);
    return { kind: 'interface', name: w };
  }
  return syntaxError(t, `'${w}' is not an address, prefix or interface name`);
}

/** The inside of `( ... )`: an interface, optionally with a modifier. */
export function dynamicOf(t: IToken): PfAddress {
  const m = /^([A-Za-z][A-Za-z0-9_.-]*)(?::(network|broadcast|peer|0))?$/.exec(t.image);
  if (!m) syntaxError(t, `'${t.image}' is not an interface name`);
  return { kind: 'dynamic', interface: m[1], modifier: m[2] ?? null };
}
