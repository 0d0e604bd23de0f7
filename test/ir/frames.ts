/** Frames for the evaluator tests, through the project's frame builder. */
import { buildFrame } from '../../src/packet/build-frame.js';
import { TCP_SYN, type Ipv4Spec, type Ipv6Spec } from '../../src/packet/frame-spec.js';

const v4 = (src: string, dst: string, payload: Ipv4Spec['payload'], extra: Partial<Ipv4Spec> = {}): Uint8Array =>
  buildFrame({ kind: 'ethernet', body: { kind: 'ipv4', src, dst, id: 77, payload, ...extra } });
const v6 = (src: string, dst: string, payload: Ipv6Spec['payload'], extra: Partial<Ipv6Spec> = {}): Uint8Array =>
  buildFrame({ kind: 'ethernet', body: { kind: 'ipv6', src, dst, payload, ...extra } });

const DATA = Uint8Array.from({ length: 21 }, (_, i) => (i * 37 + 5) & 255);

export const tcp4 = (src: string, dst: string, sport: number, dport: number, flags = TCP_SYN, extra: Partial<Ipv4Spec> = {}): Uint8Array =>
  v4(src, dst, { kind: 'tcp', sport, dport, flags, seq: 1000, payload: DATA }, extra);
export const udp4 = (src: string, dst: string, sport: number, dport: number, extra: Partial<Ipv4Spec> = {}): Uint8Array =>
  v4(src, dst, { kind: 'udp', sport, dport, payload: DATA }, extra);
export const udp4NoChecksum = (src: string, dst: string, sport: number, dport: number): Uint8Array =>
  v4(src, dst, { kind: 'udp', sport, dport, payload: DATA, checksum: 'zero' });
export const icmp4 = (src: string, dst: string, type: number, code: number): Uint8Array => v4(src, dst, { kind: 'icmp', type, code, id: 9, seq: 1, payload: DATA });
export const tcp6 = (src: string, dst: string, sport: number, dport: number, flags = TCP_SYN, extra: Partial<Ipv6Spec> = {}): Uint8Array =>
  v6(src, dst, { kind: 'tcp', sport, dport, flags, payload: DATA }, extra);
export const udp6 = (src: string, dst: string, sport: number, dport: number, extra: Partial<Ipv6Spec> = {}): Uint8Array =>
  v6(src, dst, { kind: 'udp', sport, dport, payload: DATA }, extra);
export const icmp6 = (src: string, dst: string, type: number): Uint8Array => v6(src, dst, { kind: 'icmpv6', type, rest: 0x00090001, payload: DATA });
