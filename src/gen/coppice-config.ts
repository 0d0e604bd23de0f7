import { formatIpv4, formatMac } from '../packet/addresses.js';
import type { BpfObject } from '../object/types.js';
import { coppiceGlobal } from './coppice-names.js';

/**
 * The host configuration a Coppice object was built with: its `.rodata` globals, read
 * from the object (addresses and MAC halves are stored in wire order, ifindexes and
 * port bounds in the target's order). Falls back to SPEC.md's defaults for a global the
 * object lacks.
 */
export interface CoppiceConfig {
  readonly innerIp: string;
  readonly gatewayIp: string;
  readonly mvmMac: string;
  readonly gatewayMac: string;
  readonly cubegwIp: string;
  readonly cubegwIfindex: number;
  readonly cubegwMac: string;
  readonly nodenicIp: string;
  readonly nodenicIfindex: number;
  readonly nodenicMac: string;
  readonly nodegwMac: string;
  readonly snatPortMin: number;
  readonly snatPortMax: number;
}

export function coppiceConfig(obj: BpfObject): CoppiceConfig {
  const bytes = (name: string): Uint8Array | undefined => coppiceGlobal(obj, name)?.initial;
  const ip = (name: string, dflt: string): string => {
    const b = bytes(name);
    return b && b.length === 4 ? formatIpv4(b) : dflt;
  };
  const mac = (p1: string, p2: string, dflt: string): string => {
    const a = bytes(p1);
    const b = bytes(p2);
    return a && b && a.length === 4 && b.length === 2 ? formatMac(Uint8Array.from([...a, ...b])) : dflt;
  };
  const uint = (name: string, dflt: number): number => {
    const b = bytes(name);
    if (!b || (b.length !== 2 && b.length !== 4)) return dflt;
    const v = new DataView(b.buffer, b.byteOffset, b.length);
    return b.length === 2 ? v.getUint16(0, obj.littleEndian) : v.getUint32(0, obj.littleEndian);
  };
  return {
    innerIp: ip('mvm_inner_ip', '169.254.68.6'),
    gatewayIp: ip('mvm_gateway_ip', '169.254.68.5'),
    mvmMac: mac('mvm_macaddr_p1', 'mvm_macaddr_p2', '20:90:6f:fc:fc:fc'),
    gatewayMac: mac('mvm_gateway_macaddr_p1', 'mvm_gateway_macaddr_p2', 'ee:ff:ff:ff:ff:ff'),
    cubegwIp: ip('cubegw0_ip', '203.0.113.1'),
    cubegwIfindex: uint('cubegw0_ifindex', 216),
    cubegwMac: mac('cubegw0_macaddr_p1', 'cubegw0_macaddr_p2', '0e:cb:00:71:00:01'),
    nodenicIp: ip('nodenic_ip', '9.135.10.2'),
    nodenicIfindex: uint('nodenic_ifindex', 2),
    nodenicMac: mac('nodenic_macaddr_p1', 'nodenic_macaddr_p2', '52:54:00:0a:87:02'),
    nodegwMac: mac('nodegw_macaddr_p1', 'nodegw_macaddr_p2', '52:54:00:0a:87:01'),
    snatPortMin: uint('snat_port_min', 30000),
    snatPortMax: uint('snat_port_max', 65535),
  };
}
