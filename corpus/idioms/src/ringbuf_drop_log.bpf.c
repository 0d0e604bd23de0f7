// SPDX-License-Identifier: GPL-2.0
/* Block inbound telnet and SMB and tell the SOC about every attempt.
 * Logging is best effort: when the ring is full the packet is still
 * dropped, just not reported. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ringbuf_drop_log.h"

SEC("tc")
int log_and_drop(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct l4_ports *ports;
	struct drop_event *ev;
	struct iphdr *ip;
	__u32 hlen;
	__u8 reason;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_OK;
	ports = (void *)ip + hlen;
	if ((void *)(ports + 1) > data_end)
		return TC_ACT_OK;

	if (ports->dest == bpf_htons(PORT_TELNET))
		reason = REASON_TELNET;
	else if (ports->dest == bpf_htons(PORT_SMB))
		reason = REASON_SMB;
	else
		return TC_ACT_OK;

	ev = bpf_ringbuf_reserve(&drop_events, sizeof(*ev), 0);
	if (ev) {
		ev->ts_ns = bpf_ktime_get_ns();
		ev->saddr = ip->saddr;
		ev->daddr = ip->daddr;
		ev->sport = ports->source;
		ev->dport = ports->dest;
		ev->proto = ip->protocol;
		ev->reason = reason;
		ev->pad = 0;
		bpf_ringbuf_submit(ev, 0);
	}
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
