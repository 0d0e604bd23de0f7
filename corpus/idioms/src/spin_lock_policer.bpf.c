// SPDX-License-Identifier: GPL-2.0
/* One byte-rate policer shared by every CPU for all inbound UDP (the
 * usual amplification-attack vector). The bucket state is updated under
 * a spin lock because the rate is global, not per CPU. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "spin_lock_policer.h"

SEC("tc")
int udp_flood_policer(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct udp_policer *pol;
	struct iphdr *ip;
	__u64 now, elapsed, tokens;
	__u32 zero = 0, len = skb->len;
	int verdict = TC_ACT_OK;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;

	pol = bpf_map_lookup_elem(&udp_policer, &zero);
	if (!pol)
		return TC_ACT_OK;

	/* No helper calls are allowed while the lock is held. */
	now = bpf_ktime_get_ns();

	bpf_spin_lock(&pol->lock);
	elapsed = now - pol->last_ns;
	/* Cap first: a full second already refills more than the burst,
	 * and the multiplication below must not overflow. */
	if (elapsed > NSEC_PER_SEC)
		elapsed = NSEC_PER_SEC;
	tokens = pol->tokens + elapsed * POLICER_BYTES_PER_SEC / NSEC_PER_SEC;
	if (tokens > POLICER_BURST_BYTES)
		tokens = POLICER_BURST_BYTES;
	pol->last_ns = now;
	if (tokens >= len)
		tokens -= len;
	else
		verdict = TC_ACT_SHOT;
	pol->tokens = tokens;
	bpf_spin_unlock(&pol->lock);

	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
