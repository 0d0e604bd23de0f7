/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Gives every identifier of our own a meaningless name, for builds that
 * check bpf2pf recovers the dataplane from structure and BTF layouts rather
 * than from names. Used as: clang -include corpus/coppice/src/rename.h ...
 *
 * Only our own names are here. None of them occurs in the uapi headers
 * (linux/) or the libbpf headers (bpf/), so no system definition is
 * touched. LICENSE is left alone for that reason (the word appears in uapi
 * comments); libbpf finds the licence by its section, not by the symbol.
 * Struct members and #define constants keep their names: members are part
 * of the layouts the agent shares, and constants do not reach the object.
 */
#ifndef COPPICE_RENAME_H
#define COPPICE_RENAME_H

/* Programs (entry points and tail-call stages) */
#define from_cube zz_prog_01
#define from_world zz_prog_02
#define from_envoy zz_prog_03
#define cube_dns_hdr zz_prog_04
#define cube_dns_name zz_prog_05
#define cube_dns_match zz_prog_06
#define world_dns_hdr zz_prog_07
#define world_dns_question zz_prog_08
#define world_dns_answers zz_prog_09

/* Subprograms and inline helpers */
#define cube_proxy_arp zz_fn_01
#define cube_policy zz_fn_02
#define edt_schedule zz_fn_03
#define snat_alloc zz_fn_04
#define cube_nat_xmit zz_fn_05
#define cube_to_gateway zz_fn_06
#define cube_port_reply zz_fn_07
#define cube_l7_steer zz_fn_08
#define cube_dns_deliver zz_fn_09
#define cube_dns_scratch zz_fn_10
#define world_port_forward zz_fn_11
#define world_reverse_nat zz_fn_12
#define world_dns_deliver zz_fn_13
#define world_dns_scratch zz_fn_14
#define world_dns_learn zz_fn_15
#define tcp_state_update zz_fn_16
#define ct_reverse_key zz_fn_17
#define cp_rol32 zz_fn_18
#define cp_jhash_final zz_fn_19
#define cp_jhash_1word zz_fn_20
#define cp_csum_fold zz_fn_21
#define cp_csum_replace2 zz_fn_22
#define cp_l4_csum_off zz_fn_23
#define cp_l4_csum_flags zz_fn_24
#define cp_has_pseudo_csum zz_fn_25
#define cp_tcp_bare_syn zz_fn_26
#define cp_parse_ipv4 zz_fn_27
#define cp_set_eth zz_fn_28
#define cp_rewrite_ip4 zz_fn_29
#define cp_rewrite_ip4_diff zz_fn_30
#define cp_rewrite_port zz_fn_31
#define cp_rewrite_icmp_id zz_fn_32
#define cp_rewrite_l4_id zz_fn_33

/* Maps (shared pinned ones included: a renamed set pins under new names) */
#define mvmip_to_ifindex zz_map_01
#define ifindex_to_mvmmeta zz_map_02
#define remote_port_mapping zz_map_03
#define local_port_mapping zz_map_04
#define egress_sessions zz_map_05
#define ingress_sessions zz_map_06
#define snat_iplist zz_map_07
#define allow_out zz_map_08
#define deny_out zz_map_09
#define egress_rate zz_map_10
#define dns_domains zz_map_11
#define dns_queries zz_map_12
#define dns_allow_expiry zz_map_13
#define cube_dns_progs zz_map_14
#define cube_percpu zz_map_15
#define world_dns_progs zz_map_16
#define world_percpu zz_map_17

/* .rodata globals */
#define mvm_inner_ip zz_var_01
#define mvm_gateway_ip zz_var_02
#define mvm_macaddr_p1 zz_var_03
#define mvm_macaddr_p2 zz_var_04
#define mvm_gateway_macaddr_p1 zz_var_05
#define mvm_gateway_macaddr_p2 zz_var_06
#define cubegw0_ip zz_var_07
#define cubegw0_ifindex zz_var_08
#define cubegw0_macaddr_p1 zz_var_09
#define cubegw0_macaddr_p2 zz_var_10
#define nodenic_ip zz_var_11
#define nodenic_ifindex zz_var_12
#define nodenic_macaddr_p1 zz_var_13
#define nodenic_macaddr_p2 zz_var_14
#define nodegw_macaddr_p1 zz_var_15
#define nodegw_macaddr_p2 zz_var_16
#define snat_port_min zz_var_17
#define snat_port_max zz_var_18
#define edt_horizon_ns zz_var_19
#define dns_learning_enabled zz_var_20
#define dns_ttl_min_sec zz_var_21
#define dns_ttl_max_sec zz_var_22

/* Struct tags */
#define mvm_meta zz_type_01
#define mvm_port zz_type_02
#define session_key zz_type_03
#define nat_session zz_type_04
#define ingress_session zz_type_05
#define snat_ip zz_type_06
#define lpm_v4_key zz_type_07
#define mvm_rate zz_type_08
#define dns_name_key zz_type_09
#define dns_pending_key zz_type_10
#define dns_pending zz_type_11
#define allow_expiry_key zz_type_12
#define dns_learned zz_type_13
#define pkt_info zz_type_14
#define cube_scratch zz_type_15
#define world_scratch zz_type_16
#define cp_arp_eth zz_type_17
#define cp_dnshdr zz_type_18
#define cp_dns_rr zz_type_19

#endif /* COPPICE_RENAME_H */
