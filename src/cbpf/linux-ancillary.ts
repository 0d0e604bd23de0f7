/**
 * Linux's ancillary loads: absolute loads at SKF_AD_OFF (-0x1000) plus an offset read
 * socket metadata instead of packet bytes. Linux-built libpcap prints them by name and
 * compiles `inbound`, `outbound` and `ifindex` into them. FreeBSD has none: there they
 * are plain out-of-range loads, so the program returns 0.
 */

/** SKF_AD_OFF as a u32. */
export const SKF_AD_OFF = 0xfffff000;

/** Offset from SKF_AD_OFF to the name libpcap's bpf_image prints (`ld [proto]`). */
export const ANCILLARY_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'proto'], [4, 'type'], [8, 'ifidx'], [12, 'nla'], [16, 'nlan'], [20, 'mark'], [24, 'queue'],
  [28, 'hatype'], [32, 'rxhash'], [36, 'cpu'], [40, 'xor_x'], [44, 'vlan_tci'], [48, 'vlanp'],
  [52, 'poff'], [56, 'random'], [60, 'vlan_tpid'],
]);

/** The name of an absolute load's k, when it is one of Linux's ancillary offsets. */
export function ancillaryName(k: number): string | undefined {
  return k >= SKF_AD_OFF ? ANCILLARY_NAMES.get(k - SKF_AD_OFF) : undefined;
}

/** The k of a named ancillary load, or undefined for a name Linux does not have. */
export function ancillaryOffset(name: string): number | undefined {
  for (const [off, n] of ANCILLARY_NAMES) if (n === name) return SKF_AD_OFF + off;
  return undefined;
}
