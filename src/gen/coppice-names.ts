import type { BpfGlobal, BpfMap, BpfObject } from '../object/types.js';

/**
 * Coppice objects are recognised by their map names. The corpus also has builds with
 * every identifier renamed (corpus/coppice/src/rename.h), to check that translation does
 * not lean on names; the generators accept those too, through this table.
 */
const RENAMED: Readonly<Record<string, string>> = {
  mvmip_to_ifindex: 'zz_map_01', ifindex_to_mvmmeta: 'zz_map_02', remote_port_mapping: 'zz_map_03',
  local_port_mapping: 'zz_map_04', egress_sessions: 'zz_map_05', ingress_sessions: 'zz_map_06',
  snat_iplist: 'zz_map_07', allow_out: 'zz_map_08', deny_out: 'zz_map_09', egress_rate: 'zz_map_10',
  dns_domains: 'zz_map_11', dns_queries: 'zz_map_12', dns_allow_expiry: 'zz_map_13',
  cube_dns_progs: 'zz_map_14', cube_percpu: 'zz_map_15', world_dns_progs: 'zz_map_16', world_percpu: 'zz_map_17',
  from_cube: 'zz_prog_01', from_world: 'zz_prog_02', from_envoy: 'zz_prog_03', cube_dns_hdr: 'zz_prog_04',
  cube_dns_name: 'zz_prog_05', cube_dns_match: 'zz_prog_06', world_dns_hdr: 'zz_prog_07',
  world_dns_question: 'zz_prog_08', world_dns_answers: 'zz_prog_09',
  mvm_inner_ip: 'zz_var_01', mvm_gateway_ip: 'zz_var_02', mvm_macaddr_p1: 'zz_var_03', mvm_macaddr_p2: 'zz_var_04',
  mvm_gateway_macaddr_p1: 'zz_var_05', mvm_gateway_macaddr_p2: 'zz_var_06', cubegw0_ip: 'zz_var_07',
  cubegw0_ifindex: 'zz_var_08', cubegw0_macaddr_p1: 'zz_var_09', cubegw0_macaddr_p2: 'zz_var_10',
  nodenic_ip: 'zz_var_11', nodenic_ifindex: 'zz_var_12', nodenic_macaddr_p1: 'zz_var_13',
  nodenic_macaddr_p2: 'zz_var_14', nodegw_macaddr_p1: 'zz_var_15', nodegw_macaddr_p2: 'zz_var_16',
  snat_port_min: 'zz_var_17', snat_port_max: 'zz_var_18', edt_horizon_ns: 'zz_var_19',
  dns_learning_enabled: 'zz_var_20', dns_ttl_min_sec: 'zz_var_21', dns_ttl_max_sec: 'zz_var_22',
};

/** The Coppice name of a map, program or global in either build (`from_cube` for `zz_prog_01`). */
export function coppiceName(name: string): string {
  for (const [k, v] of Object.entries(RENAMED)) if (v === name) return k;
  return name;
}

/** An object holding the maps every Coppice program shares. */
export function isCoppiceObject(obj: BpfObject): boolean {
  const names = new Set(obj.maps.map((m) => coppiceName(m.name)));
  return ['ifindex_to_mvmmeta', 'mvmip_to_ifindex', 'egress_sessions', 'allow_out'].every((n) => names.has(n));
}

/** The object's map with this Coppice name, under whichever name the build gave it. */
export function coppiceMap(obj: BpfObject, name: string): BpfMap | undefined {
  return obj.maps.find((m) => coppiceName(m.name) === name);
}

export function coppiceGlobal(obj: BpfObject, name: string): BpfGlobal | undefined {
  return obj.globals.find((g) => coppiceName(g.name) === name);
}
