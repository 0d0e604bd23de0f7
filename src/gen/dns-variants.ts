import { DNS_TYPE_A, DNS_TYPE_AAAA, dnsFlags, encodeDns, type DnsRecord } from '../packet/dns.js';
import type { Rng } from './rng.js';

/**
 * DNS queries and answers for a DNS-aware program: mostly well formed and about names
 * its tries know (and their subdomains, in mixed case), plus the shapes its parser has
 * branches for: responses where a query is expected, other opcodes, two questions,
 * compression in a question, over-long labels and names, cut-off messages.
 */
export type QueryShape = 'standard' | 'response' | 'opcode' | 'two-questions' | 'pointer' | 'long-label' | 'long-name' | 'cut' | 'root' | 'garbage';

export function drawQueryName(known: readonly string[], rng: Rng): string {
  const base = known.length && rng.chance(0.7) ? rng.pick(known) : rng.pick(['example.org', 'badexample.com', 'github.io', 'pypi.org.evil.net', 'localhost', 'x.y']);
  const name = rng.weighted<string>([[base, 40], [`www.${base}`, 25], [`${rng.pick(['a', 'cdn', 'api-1', 'x-y-z'])}.${rng.pick(['eu', 'us'])}.${base}`, 15], [`bad${base}`, 10], [base.toUpperCase(), 5], [mixCase(`Www.${base}`, rng), 5]]);
  return name;
}

function mixCase(s: string, rng: Rng): string {
  return [...s].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('');
}

export function dnsQuery(name: string, id: number, shape: QueryShape, rng: Rng): Uint8Array {
  const rd = dnsFlags({ rd: true });
  switch (shape) {
    case 'standard':
      return encodeDns({ id, flags: rd, questions: [{ name, type: rng.chance(0.8) ? DNS_TYPE_A : DNS_TYPE_AAAA }] });
    case 'response':
      return encodeDns({ id, flags: dnsFlags({ qr: true, rd: true }), questions: [{ name }] });
    case 'opcode':
      return encodeDns({ id, flags: dnsFlags({ opcode: rng.pick([1, 2, 4, 5]) }), questions: [{ name }] });
    case 'two-questions':
      return encodeDns({ id, flags: rd, questions: [{ name }, { name: `www.${name}` }] });
    case 'pointer': {
      // A question name that ends in a compression pointer (legal only in answers).
      const q = encodeDns({ id, flags: rd, questions: [{ name }] });
      const out = q.slice(0, q.length - 5);
      const cut = Math.max(12, out.length - 2);
      return Uint8Array.from([...out.subarray(0, cut), 0xc0, 0x0c, 0, 1, 0, 1]);
    }
    case 'long-label': {
      const q = encodeDns({ id, flags: rd, questions: [{ name: 'abc.def' }] });
      q[12] = 64 + rng.int(128); // a length byte no label may have
      return q;
    }
    case 'long-name': {
      const labels: string[] = [];
      while (labels.join('.').length < 140) labels.push('label' + labels.length);
      return encodeDns({ id, flags: rd, questions: [{ name: `${labels.join('.')}.${name}` }] });
    }
    case 'cut': {
      const q = encodeDns({ id, flags: rd, questions: [{ name }] });
      return q.slice(0, rng.range(2, q.length - 5));
    }
    case 'root':
      return encodeDns({ id, flags: rd, questions: [{ name: '' }] });
    case 'garbage':
      return rng.bytes(rng.range(0, 40));
    default: {
      const never: never = shape;
      return never;
    }
  }
}

export const QUERY_SHAPES: readonly (readonly [QueryShape, number])[] = [
  ['standard', 70], ['response', 4], ['opcode', 3], ['two-questions', 4], ['pointer', 3], ['long-label', 3], ['long-name', 4], ['cut', 4], ['root', 2], ['garbage', 3],
];

export type AnswerShape = 'a' | 'cname-chain' | 'many' | 'full-owner' | 'error' | 'not-response' | 'two-questions' | 'no-answers' | 'cut' | 'ttl-edges' | 'other-types';

export const ANSWER_SHAPES: readonly (readonly [AnswerShape, number])[] = [
  ['a', 35], ['cname-chain', 12], ['many', 8], ['full-owner', 6], ['error', 5], ['not-response', 4], ['two-questions', 4], ['no-answers', 5], ['cut', 6], ['ttl-edges', 8], ['other-types', 7],
];

/** An answer to `name` with id `id`; `addresses` are what the A records carry. */
export function dnsAnswer(name: string, id: number, addresses: readonly string[], shape: AnswerShape, rng: Rng): Uint8Array {
  const flags = dnsFlags({ qr: true, rd: true, ra: true });
  const a = (owner: string, addr: string, ttl = rng.pick([60, 300, 3600])): DnsRecord => ({ name: owner, ttl, data: { kind: 'a', address: addr } });
  const q = [{ name }];
  switch (shape) {
    case 'a':
      return encodeDns({ id, flags, questions: q, answers: addresses.slice(0, rng.range(1, 2)).map((x) => a(name, x)) });
    case 'cname-chain':
      return encodeDns({ id, flags, questions: q, answers: [{ name, ttl: 300, data: { kind: 'cname', target: `edge.${name}` } }, ...addresses.slice(0, 2).map((x) => a(`edge.${name}`, x))] });
    case 'many': {
      const answers: DnsRecord[] = [];
      for (let i = 0; i < rng.range(8, 12); i++) answers.push(a(name, addresses[i % addresses.length]));
      return encodeDns({ id, flags, questions: q, answers });
    }
    case 'full-owner':
      // Owner names written out in full: the Coppice parser only follows pointers.
      return encodeDns({ id, flags, questions: q, answers: addresses.map((x) => a(name, x)), compress: false });
    case 'error':
      return encodeDns({ id, flags: flags | rng.pick([2, 3, 5]), questions: q, answers: [a(name, addresses[0])] });
    case 'not-response':
      return encodeDns({ id, flags: dnsFlags({ rd: true }), questions: q, answers: [a(name, addresses[0])] });
    case 'two-questions':
      return encodeDns({ id, flags, questions: [...q, { name: `x.${name}` }], answers: [a(name, addresses[0])] });
    case 'no-answers':
      return encodeDns({ id, flags, questions: q });
    case 'cut': {
      const m = encodeDns({ id, flags, questions: q, answers: addresses.map((x) => a(name, x)) });
      return m.slice(0, rng.range(12, m.length - 1));
    }
    case 'ttl-edges':
      return encodeDns({ id, flags, questions: q, answers: addresses.map((x) => a(name, x, rng.pick([0, 1, 29, 30, 86400, 86401, 0xffffffff]))) });
    case 'other-types':
      return encodeDns({
        id,
        flags,
        questions: q,
        answers: [
          { name, ttl: 60, data: { kind: 'raw', type: DNS_TYPE_AAAA, bytes: rng.bytes(16) } },
          { name, ttl: 60, class: 3, data: { kind: 'a', address: addresses[0] } },
          { name, ttl: 60, data: { kind: 'raw', type: DNS_TYPE_A, bytes: rng.bytes(rng.pick([3, 5, 8])) } },
          a(name, addresses[addresses.length - 1]),
        ],
      });
    default: {
      const never: never = shape;
      return never;
    }
  }
}
