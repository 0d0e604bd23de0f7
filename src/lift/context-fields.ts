/**
 * Context layouts as the lifter names them (reference §5.1, §5.2). `data`, `data_end`
 * and `data_meta` are pointers the kernel's ctx rewrite makes 64-bit; the lifter turns
 * their loads into packet pointers.
 */
export interface ContextField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly writable: boolean;
}

const SKB: readonly ContextField[] = [
  { name: 'len', offset: 0, size: 4, writable: false },
  { name: 'pkt_type', offset: 4, size: 4, writable: false },
  { name: 'mark', offset: 8, size: 4, writable: true },
  { name: 'queue_mapping', offset: 12, size: 4, writable: true },
  { name: 'protocol', offset: 16, size: 4, writable: false },
  { name: 'vlan_present', offset: 20, size: 4, writable: false },
  { name: 'vlan_tci', offset: 24, size: 4, writable: false },
  { name: 'vlan_proto', offset: 28, size: 4, writable: false },
  { name: 'priority', offset: 32, size: 4, writable: true },
  { name: 'ingress_ifindex', offset: 36, size: 4, writable: false },
  { name: 'ifindex', offset: 40, size: 4, writable: false },
  { name: 'tc_index', offset: 44, size: 4, writable: true },
  { name: 'cb0', offset: 48, size: 4, writable: true },
  { name: 'cb1', offset: 52, size: 4, writable: true },
  { name: 'cb2', offset: 56, size: 4, writable: true },
  { name: 'cb3', offset: 60, size: 4, writable: true },
  { name: 'cb4', offset: 64, size: 4, writable: true },
  { name: 'hash', offset: 68, size: 4, writable: false },
  { name: 'tc_classid', offset: 72, size: 4, writable: true },
  { name: 'data', offset: 76, size: 4, writable: false },
  { name: 'data_end', offset: 80, size: 4, writable: false },
  { name: 'napi_id', offset: 84, size: 4, writable: false },
  { name: 'data_meta', offset: 140, size: 4, writable: false },
  { name: 'tstamp', offset: 152, size: 8, writable: true },
  { name: 'wire_len', offset: 160, size: 4, writable: false },
  { name: 'gso_segs', offset: 164, size: 4, writable: false },
  { name: 'gso_size', offset: 176, size: 4, writable: false },
  { name: 'tstamp_type', offset: 180, size: 1, writable: false },
  { name: 'hwtstamp', offset: 184, size: 8, writable: false },
];

const XDP: readonly ContextField[] = [
  { name: 'data', offset: 0, size: 4, writable: false },
  { name: 'data_end', offset: 4, size: 4, writable: false },
  { name: 'data_meta', offset: 8, size: 4, writable: false },
  { name: 'ingress_ifindex', offset: 12, size: 4, writable: false },
  { name: 'rx_queue_index', offset: 16, size: 4, writable: false },
  { name: 'egress_ifindex', offset: 20, size: 4, writable: false },
];

export type ContextKind = 'skb' | 'xdp';

/** The field a context access of `size` bytes at `offset` reads or writes, if any. */
export function contextField(kind: ContextKind, offset: number, size: number): ContextField | undefined {
  const table = kind === 'skb' ? SKB : XDP;
  // Narrower loads of a field are allowed (e.g. a u8 load of protocol); name the field.
  return table.find((f) => offset >= f.offset && offset + size <= f.offset + f.size);
}
