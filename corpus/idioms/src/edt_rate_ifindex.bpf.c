// SPDX-License-Identifier: GPL-2.0
/* Earliest-departure-time shaping on egress: each packet is stamped with
 * the time it may leave so that the interface's configured rate is not
 * exceeded; the fq qdisc holds it until then. Interfaces without a rate
 * are not shaped. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "edt_rate_ifindex.h"

SEC("tc")
int edt_shaper(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	struct edt_clock *clk, fresh;
	struct edt_rate *rate;
	__u64 now, delay, t;

	rate = bpf_map_lookup_elem(&edt_rates, &ifindex);
	if (!rate || rate->bytes_per_sec == 0)
		return TC_ACT_OK;

	now = bpf_ktime_get_ns();
	delay = (__u64)skb->len * NSEC_PER_SEC / rate->bytes_per_sec;

	clk = bpf_map_lookup_elem(&edt_clocks, &ifindex);
	if (!clk) {
		fresh.next_departure_ns = now + delay;
		bpf_map_update_elem(&edt_clocks, &ifindex, &fresh, BPF_ANY);
		return TC_ACT_OK;
	}

	t = clk->next_departure_ns;
	if (t < now)
		t = now;
	if (t - now > EDT_HORIZON_NS)
		return TC_ACT_SHOT;

	/* A socket may already have asked for a later departure (pacing);
	 * never pull a packet forward. */
	if (skb->tstamp < t)
		skb->tstamp = t;
	clk->next_departure_ns = t + delay;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
