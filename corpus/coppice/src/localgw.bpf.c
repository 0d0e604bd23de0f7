// SPDX-License-Identifier: GPL-2.0
/*
 * from_envoy: tc egress on cube-dev. The host (its Envoy, mostly) reaches a
 * sandbox by sending to the sandbox's host-side address through cube-dev;
 * inside the VM that traffic has to look like it comes from the VM's
 * gateway and goes to the VM's own inner address.
 */
#include "coppice_helpers.h"
#include "coppice_maps.h"

SEC("tc")
int from_envoy(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct pkt_info pi = {};
	struct {
		__be32 saddr;
		__be32 daddr;
	} from, to;
	__be32 host_side;
	__u32 *tap;
	__s64 diff;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (cp_parse_ipv4(skb, &pi) < 0)
		return TC_ACT_SHOT;

	/* The destination is all that says which sandbox this is for. */
	host_side = pi.daddr;

	/*
	 * saddr and daddr are adjacent in the IP header: rewrite both with one
	 * store and one checksum delta.
	 */
	from.saddr = pi.saddr;
	from.daddr = pi.daddr;
	to.saddr = mvm_gateway_ip;
	to.daddr = mvm_inner_ip;
	diff = bpf_csum_diff((__be32 *)&from, sizeof(from), (__be32 *)&to, sizeof(to), 0);
	if (diff < 0)
		return TC_ACT_SHOT;
	if (cp_has_pseudo_csum(&pi) &&
	    bpf_l4_csum_replace(skb, cp_l4_csum_off(&pi), 0, diff,
				BPF_F_PSEUDO_HDR | cp_l4_csum_flags(&pi)) < 0)
		return TC_ACT_SHOT;
	if (bpf_l3_csum_replace(skb, IP_OFF_CSUM, 0, diff, 0) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, IP_OFF_SADDR, &to, sizeof(to), 0) < 0)
		return TC_ACT_SHOT;

	tap = bpf_map_lookup_elem(&mvmip_to_ifindex, &host_side);
	if (!tap)
		return TC_ACT_SHOT;
	if (cp_set_eth(skb, mvm_macaddr_p1, mvm_macaddr_p2,
		       mvm_gateway_macaddr_p1, mvm_gateway_macaddr_p2) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(*tap, 0);
}

char LICENSE[] SEC("license") = "GPL";
