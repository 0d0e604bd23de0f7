// SPDX-License-Identifier: GPL-2.0
/* skb helpers and __sk_buff access; skb->mark (from ctx_in) picks a variant. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef BPF_F_ADJ_ROOM_DECAP_L3_IPV4
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#endif

__u64 res[48];

SEC("tc")
int bytes(struct __sk_buff *skb)
{
	__u8 buf[16];
	__u64 x = 0x1122334455667788ULL;

	__builtin_memset(buf, 0xaa, sizeof(buf));
	res[0] = bpf_skb_load_bytes(skb, 0, buf, 16);
	res[1] = *(__u64 *)buf;
	__builtin_memset(buf, 0xaa, sizeof(buf));
	res[2] = bpf_skb_load_bytes(skb, skb->len - 8, buf, 16);
	res[3] = *(__u64 *)buf;
	res[4] = bpf_skb_load_bytes(skb, skb->len - 16, buf, 16);
	res[5] = *(__u64 *)&buf[8];
	__builtin_memset(buf, 0xaa, sizeof(buf));
	res[6] = bpf_skb_load_bytes_relative(skb, 0, buf, 8, BPF_HDR_START_MAC);
	res[7] = *(__u64 *)buf;
	res[8] = bpf_skb_load_bytes_relative(skb, 2, buf, 8, BPF_HDR_START_NET);
	res[9] = *(__u64 *)buf;
	res[10] = bpf_skb_load_bytes_relative(skb, skb->len - 20, buf, 8, BPF_HDR_START_NET);
	res[11] = *(__u64 *)buf;
	res[12] = bpf_skb_load_bytes_relative(skb, 0, buf, 8, 7);
	res[13] = bpf_skb_store_bytes(skb, 2, &x, 8, 0);
	res[14] = bpf_skb_store_bytes(skb, skb->len - 4, &x, 8, 0);
	res[15] = bpf_skb_store_bytes(skb, skb->len - 8, &x, 8, BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH);
	res[16] = bpf_skb_store_bytes(skb, 0, &x, 8, 4);
	res[17] = bpf_skb_pull_data(skb, 10);
	res[18] = bpf_skb_pull_data(skb, skb->len);
	res[19] = bpf_skb_pull_data(skb, skb->len + 1);
	res[20] = bpf_skb_pull_data(skb, 0);
	return 1;
}

SEC("tc")
int resize(struct __sk_buff *skb)
{
	__u32 sel = skb->mark;
	__u64 x = 0xfeedfacecafebeefULL;

	switch (sel) {
	case 0:
		res[0] = bpf_skb_change_tail(skb, skb->len + 10, 0);
		break;
	case 1:
		res[0] = bpf_skb_change_tail(skb, 20, 0);
		res[1] = bpf_skb_change_tail(skb, 10, 0);
		res[2] = bpf_skb_change_tail(skb, 14, 0);
		break;
	case 2:
		res[0] = bpf_skb_change_tail(skb, 100, 1);
		res[1] = bpf_skb_change_tail(skb, 20000, 0);
		break;
	case 3:
		res[0] = bpf_skb_change_head(skb, 14, 0);
		res[1] = bpf_skb_store_bytes(skb, 0, &x, 8, 0);
		break;
	case 4:
		res[0] = bpf_skb_change_head(skb, 4, 1);
		res[1] = bpf_skb_change_head(skb, 30000, 0);
		break;
	case 5:
		res[0] = bpf_skb_change_proto(skb, __builtin_bswap16(0x86dd), 0);
		break;
	case 6:
		res[0] = bpf_skb_change_proto(skb, __builtin_bswap16(0x0800), 0);
		break;
	case 7:
		res[0] = bpf_skb_change_proto(skb, __builtin_bswap16(0x0806), 0);
		res[1] = bpf_skb_change_proto(skb, __builtin_bswap16(0x86dd), 1);
		break;
	case 8:
		res[0] = bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_MAC, 0);
		break;
	case 9:
		res[0] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0);
		break;
	case 10:
		res[0] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
		res[1] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
		res[2] = bpf_skb_change_tail(skb, skb->len + 2, 0);
		break;
	case 11:
		res[0] = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_NET, 0);
		res[1] = bpf_skb_adjust_room(skb, -4000, BPF_ADJ_ROOM_NET, 0);
		res[2] = bpf_skb_adjust_room(skb, 4, 7, 0);
		res[3] = bpf_skb_adjust_room(skb, 4, BPF_ADJ_ROOM_MAC, 1ULL << 40);
		break;
	case 12:
		res[0] = bpf_skb_adjust_room(skb, 28, BPF_ADJ_ROOM_MAC,
					     BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP | BPF_F_ADJ_ROOM_ENCAP_L2(14) | BPF_F_ADJ_ROOM_ENCAP_L2_ETH);
		res[1] = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
		break;
	case 13:
		res[0] = bpf_skb_adjust_room(skb, 40, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV6);
		res[1] = skb->protocol;
		break;
	case 14:
		res[0] = bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_DECAP_L3_IPV4);
		res[1] = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_DECAP_L3_IPV4);
		break;
	case 15:
		res[0] = bpf_skb_adjust_room(skb, -4, BPF_ADJ_ROOM_NET, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
		break;
	}
	res[10] = skb->len;
	res[11] = skb->protocol;
	res[12] = bpf_skb_load_bytes_relative(skb, 0, &x, 8, BPF_HDR_START_NET);
	res[13] = x;
	return 0;
}

SEC("tc")
int vlan(struct __sk_buff *skb)
{
	switch (skb->mark) {
	case 0:
		res[0] = bpf_skb_vlan_push(skb, __builtin_bswap16(0x8100), 0x0123);
		break;
	case 1:
		res[0] = bpf_skb_vlan_push(skb, __builtin_bswap16(0x88a8), 0x0123);
		res[1] = bpf_skb_vlan_push(skb, __builtin_bswap16(0x8100), 0x0fed);
		break;
	case 2:
		res[0] = bpf_skb_vlan_pop(skb);
		break;
	case 3:
		res[0] = bpf_skb_vlan_push(skb, __builtin_bswap16(0x1234), 7);
		res[1] = bpf_skb_vlan_pop(skb);
		res[2] = bpf_skb_vlan_pop(skb);
		break;
	}
	res[3] = skb->vlan_present;
	res[4] = skb->vlan_tci;
	res[5] = skb->vlan_proto;
	res[6] = skb->protocol;
	res[7] = skb->len;
	return 0;
}

SEC("tc")
int meta(struct __sk_buff *skb)
{
	res[0] = skb->hash;
	res[1] = bpf_set_hash(skb, 0xabcdef);
	res[2] = skb->hash;
	bpf_set_hash_invalid(skb);
	res[3] = skb->hash;
	res[4] = bpf_skb_change_type(skb, 1);
	res[5] = skb->pkt_type;
	res[6] = bpf_skb_change_type(skb, 4);
	res[7] = bpf_skb_ecn_set_ce(skb);
	res[8] = bpf_skb_set_tstamp(skb, 123, 1);
	res[9] = skb->tstamp;
	res[10] = bpf_skb_set_tstamp(skb, 0, 1);
	res[11] = bpf_skb_set_tstamp(skb, 5, 3);
	res[12] = bpf_get_smp_processor_id();
	res[13] = bpf_get_cgroup_classid(skb);
	res[14] = bpf_set_hash(skb, 0x77);
	res[15] = bpf_skb_change_proto(skb, __builtin_bswap16(0x86dd), 0);
	res[16] = skb->hash;
	return 0;
}

SEC("tc")
int ecn(struct __sk_buff *skb)
{
	res[0] = bpf_skb_ecn_set_ce(skb);
	res[1] = bpf_skb_ecn_set_ce(skb);
	return 0;
}

SEC("tc")
int ctx(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *meta = (void *)(long)skb->data_meta;

	res[0] = skb->len;
	res[1] = skb->pkt_type;
	res[2] = skb->mark;
	res[3] = skb->queue_mapping;
	res[4] = skb->protocol;
	res[5] = skb->vlan_present;
	res[6] = skb->priority;
	res[7] = skb->ingress_ifindex;
	res[8] = skb->ifindex;
	res[9] = skb->tc_index;
	res[10] = skb->cb[0] | (__u64)skb->cb[4] << 32;
	res[11] = skb->hash;
	res[12] = skb->tc_classid;
	res[13] = (long)skb->data_end - (long)skb->data;
	res[14] = skb->napi_id;
	res[15] = skb->tstamp;
	res[16] = skb->wire_len;
	res[17] = skb->gso_segs;
	res[18] = skb->gso_size;
	res[19] = skb->hwtstamp;
	res[20] = data == meta;
	res[21] = *(__u8 *)((void *)skb + 1) | *(__u16 *)((void *)skb + 18) << 8;
	res[22] = *(__u8 *)((void *)skb + 48 + 17);
	skb->mark = 0xbeef;
	skb->priority = 7;
	skb->tc_index = 0x12345;
	skb->tc_classid = 0x10002;
	skb->queue_mapping = 3;
	skb->cb[1] = 0x11;
	*(__u16 *)((void *)skb + 48 + 10) = 0x2233;
	*(__u64 *)((void *)skb + 48 + 8) = 0x4455667788ULL;
	*(__u8 *)((void *)skb + 48 + 19) = 0x99;
	skb->tstamp = 0x1122334455ULL;
	res[23] = skb->tc_index;
	res[24] = skb->tc_classid;
	res[25] = skb->queue_mapping;
	skb->queue_mapping = 0xffff;
	res[26] = skb->queue_mapping;
	res[27] = *(__u8 *)((void *)skb + 45);
	return 0;
}

SEC("tc")
int redirect(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = {};

	switch (skb->mark) {
	case 0:
		return bpf_redirect(5, 0);
	case 1:
		return bpf_redirect(6, BPF_F_INGRESS);
	case 2:
		return bpf_redirect(6, 2);
	case 3:
		return bpf_redirect_neigh(9, 0, 0, 0);
	case 4:
		return bpf_redirect_neigh(9, &nh, sizeof(nh), 0);
	case 5:
		return bpf_redirect_neigh(9, &nh, 4, 0);
	case 6:
		return bpf_redirect_peer(9, 0);
	case 7:
		return bpf_redirect_peer(9, 1);
	case 8:
		res[0] = bpf_clone_redirect(skb, 1, 0);
		res[1] = bpf_clone_redirect(skb, 4000, 0);
		res[2] = bpf_clone_redirect(skb, 1, 4);
		return 0;
	}
	return 5;
}

SEC("tc")
int host(struct __sk_buff *skb)
{
	struct bpf_fib_lookup fib = {};
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u32 mtu = 0;

	res[0] = bpf_check_mtu(skb, 0, &mtu, 0, 0);
	res[1] = mtu;
	mtu = 1500;
	res[2] = bpf_check_mtu(skb, 1, &mtu, 65000, 0);
	res[3] = mtu;
	mtu = 0;
	res[4] = bpf_check_mtu(skb, 4000, &mtu, 0, 0);
	res[5] = mtu;
	mtu = 7;
	res[6] = bpf_check_mtu(skb, 0, &mtu, 0, BPF_MTU_CHK_SEGS);
	res[7] = mtu;
	fib.family = 2;
	fib.ifindex = 1;
	fib.ipv4_dst = 0x08080808;
	res[8] = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	fib.ifindex = 4000;
	res[9] = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	fib.family = 7;
	res[10] = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	res[11] = bpf_fib_lookup(skb, &fib, 20, 0);
	res[12] = bpf_fib_lookup(skb, &fib, sizeof(fib), 0x80);
	t.ipv4.saddr = 0x01020304;
	t.ipv4.daddr = 0x0100007f;
	t.ipv4.dport = __builtin_bswap16(9);
	sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	res[13] = sk != 0;
	if (sk)
		bpf_sk_release(sk);
	sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	res[14] = sk != 0;
	if (sk)
		bpf_sk_release(sk);
	sk = bpf_sk_lookup_tcp(skb, &t, 7, BPF_F_CURRENT_NETNS, 0);
	res[15] = sk != 0;
	if (sk)
		bpf_sk_release(sk);
	return 0;
}

/* test_run's dummy socket behind skb->sk. */
SEC("tc")
int sock(struct __sk_buff *skb)
{
	struct bpf_sock *s = skb->sk;

	if (!s)
		return 1;
	res[0] = s->family;
	res[1] = s->src_ip4;
	res[2] = s->dst_ip4;
	res[3] = s->state;
	res[4] = s->src_port;
	res[5] = s->dst_port;
	res[6] = s->rx_queue_mapping;
	res[7] = s->bound_dev_if;
	res[8] = s->src_ip6[3];
	res[9] = s->dst_ip6[0];
	s = bpf_sk_fullsock(s);
	if (!s)
		return 2;
	res[10] = s->type;
	res[11] = s->protocol;
	res[12] = s->mark;
	res[13] = s->priority;
	res[14] = bpf_tcp_sock(s) != 0;
	res[15] = bpf_get_listener_sock(s) != 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
