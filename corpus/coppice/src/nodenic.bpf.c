// SPDX-License-Identifier: GPL-2.0
/*
 * from_world: tc ingress on the host NIC. Forwards mapped host ports into
 * their sandbox, reverses the SNAT of replies to sandbox flows, and learns
 * addresses from DNS answers to queries from_cube flagged. Everything else
 * belongs to the host and passes untouched.
 */
#include "coppice_helpers.h"
#include "coppice_maps.h"
#include "nodenic_maps.h"
#include "coppice_nat.h"

/* Answer records examined per reply; the rest go unlearned. */
#define DNS_MAX_ANSWERS 8

/* ------------------------------------------------------- inbound mappings */

/* A connection to a forwarded host port: DNAT into the sandbox. */
static __always_inline int world_port_forward(struct __sk_buff *skb, const struct pkt_info *pi,
					      const struct mvm_port *fwd)
{
	__u32 tap = fwd->ifindex;
	__be16 listen_port = fwd->listen_port;

	if (cp_rewrite_ip4(skb, pi, IP_OFF_DADDR, pi->daddr, mvm_inner_ip) < 0)
		return TC_ACT_SHOT;
	if (cp_rewrite_port(skb, pi, pi->l4_off + 2, pi->dport, listen_port) < 0)
		return TC_ACT_SHOT;
	if (cp_set_eth(skb, mvm_macaddr_p1, mvm_macaddr_p2,
		       mvm_gateway_macaddr_p1, mvm_gateway_macaddr_p2) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(tap, 0);
}

/*
 * A reply to a sandbox flow: undo the SNAT and advance the session.
 * Returns the TAP to deliver to, 0 when the reverse entry has no live
 * session behind it (the host stack may know the tuple), < 0 to drop.
 * Out of line to keep the entry's paths few enough for the DNS tail call.
 */
static __attribute__((noinline)) long world_reverse_nat(struct __sk_buff *skb,
							const struct pkt_info *pi,
							const struct ingress_session *is)
{
	struct session_key key = {};
	struct nat_session *s;
	__u32 tap;
	__be16 vm_port;

	key.src_ip = is->vm_ip;
	key.dst_ip = pi->saddr;
	key.src_port = is->vm_port;
	key.dst_port = pi->proto == IPPROTO_ICMP ? 0 : pi->sport;
	key.version = is->version;
	key.protocol = pi->proto;

	s = bpf_map_lookup_elem(&egress_sessions, &key);
	if (!s)
		return 0;
	tap = s->vm_ifindex;
	vm_port = s->vm_port;
	if (pi->proto == IPPROTO_TCP)
		tcp_state_update(s, pi->tcp_flags, CT_DIR_REPLY);
	else if (pi->proto == IPPROTO_UDP)
		s->state = CT_UDP_REPLIED;
	s->access_time = bpf_ktime_get_ns();

	if (cp_rewrite_ip4(skb, pi, IP_OFF_DADDR, pi->daddr, mvm_inner_ip) < 0)
		return -1;
	if (cp_rewrite_l4_id(skb, pi, 1, pi->dport, vm_port) < 0)
		return -1;
	if (cp_set_eth(skb, mvm_macaddr_p1, mvm_macaddr_p2,
		       mvm_gateway_macaddr_p1, mvm_gateway_macaddr_p2) < 0)
		return -1;
	return tap;
}

/* ------------------------------------------------------------------ entry */

SEC("tc")
int from_world(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct pkt_info pi = {};
	struct session_key key = {};
	struct ingress_session *is;
	struct mvm_port *fwd;
	long tap;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	/* Fragments and odd headers are the host stack's business. */
	if (cp_parse_ipv4(skb, &pi) < 0 || pi.frag)
		return TC_ACT_OK;

	if (pi.proto == IPPROTO_TCP) {
		__be16 port = pi.dport;

		fwd = bpf_map_lookup_elem(&remote_port_mapping, &port);
		if (fwd)
			return world_port_forward(skb, &pi, fwd);
	}

	switch (pi.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		key.src_port = pi.sport;
		key.dst_port = pi.dport;
		break;
	case IPPROTO_ICMP:
		if (pi.icmp_type != CP_ICMP_ECHOREPLY)
			return TC_ACT_OK;
		key.src_port = 0;
		key.dst_port = pi.sport; /* our SNAT echo identifier */
		break;
	default:
		return TC_ACT_OK;
	}
	key.src_ip = pi.saddr;
	key.dst_ip = pi.daddr;
	key.protocol = pi.proto;

	is = bpf_map_lookup_elem(&ingress_sessions, &key);
	if (!is)
		return TC_ACT_OK;
	tap = world_reverse_nat(skb, &pi, is);
	if (tap < 0)
		return TC_ACT_SHOT;
	if (tap == 0)
		return TC_ACT_OK;

	if (dns_learning_enabled && pi.proto == IPPROTO_UDP && pi.sport == bpf_htons(DNS_PORT)) {
		__u32 zero = 0;
		struct world_scratch *sc = bpf_map_lookup_elem(&world_percpu, &zero);

		if (sc) {
			sc->ifindex = tap;
			sc->l4_off = pi.l4_off;
			sc->vm_port = is->vm_port;
			bpf_tail_call(skb, &world_dns_progs, WORLD_DNS_HDR);
			sc->ifindex = 0;
		}
	}
	return bpf_redirect(tap, 0);
}

/* ------------------------------------------------------ DNS answer parser */

/*
 * Where every stage ends: the reply was already reverse-NATed by from_world,
 * so delivering it is only the redirect from_world would have done. A stage
 * run without from_world before it finds no TAP and leaves the frame alone.
 */
static __always_inline int world_dns_deliver(struct world_scratch *sc)
{
	__u32 tap = sc->ifindex;

	sc->ifindex = 0;
	if (!tap)
		return TC_ACT_OK;
	return bpf_redirect(tap, 0);
}

static __always_inline struct world_scratch *world_dns_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&world_percpu, &zero);
}

/*
 * Add one learned address to the sandbox's allow trie and (re)arm its
 * expiry. A /32 the agent configured is never touched: only entries that
 * carry ALLOW_F_LEARNED are refreshed. rec carries the query name; its
 * deadline is filled in here.
 */
static __attribute__((noinline)) int world_dns_learn(__u32 tap, __be32 addr, __u32 flags,
						     __u32 ttl, struct dns_learned *rec)
{
	struct allow_expiry_key ek = {};
	__u32 val = (flags & ALLOW_F_L7) | ALLOW_F_LEARNED;
	__u32 *cur;
	void *trie;

	ek.ifindex = tap;
	ek.addr.prefixlen = 32;
	ek.addr.ip = addr;

	trie = bpf_map_lookup_elem(&allow_out, &tap);
	if (!trie)
		return -1;
	if (bpf_map_update_elem(trie, &ek.addr, &val, BPF_NOEXIST) < 0) {
		cur = bpf_map_lookup_elem(trie, &ek.addr);
		if (!cur || !(*cur & ALLOW_F_LEARNED))
			return 0;
		*cur = val;
	}

	if (ttl < dns_ttl_min_sec)
		ttl = dns_ttl_min_sec;
	if (ttl > dns_ttl_max_sec)
		ttl = dns_ttl_max_sec;
	rec->expires_ns = bpf_ktime_get_ns() + (__u64)ttl * NSEC_PER_SEC;
	return bpf_map_update_elem(&dns_allow_expiry, &ek, rec, BPF_ANY);
}

/* Stage 0: a successful answer to a query from_cube recorded. */
SEC("tc")
int world_dns_hdr(struct __sk_buff *skb)
{
	struct world_scratch *sc = world_dns_scratch();
	struct dns_pending_key pk = {};
	struct dns_pending *pend;
	struct cp_dnshdr h;
	__u16 flags, ancount;

	if (!sc)
		return TC_ACT_OK;
	if (!sc->ifindex)
		goto deliver;
	if (bpf_skb_load_bytes(skb, sc->l4_off + sizeof(struct udphdr), &h, sizeof(h)) < 0)
		goto deliver;
	flags = bpf_ntohs(h.flags);
	ancount = bpf_ntohs(h.ancount);
	if (!(flags & DNS_QR) || (flags & (DNS_OPCODE_MASK | DNS_RCODE_MASK)) ||
	    h.qdcount != bpf_htons(1) || ancount == 0)
		goto deliver;

	pk.ifindex = sc->ifindex;
	pk.port = sc->vm_port;
	pk.id = h.id;
	pend = bpf_map_lookup_elem(&dns_queries, &pk);
	if (!pend)
		goto deliver;
	sc->flags = pend->flags;
	sc->learned.qname = pend->qname;
	sc->learned.reserved = 0;
	/* One answer per query: a replayed reply must not refresh anything. */
	bpf_map_delete_elem(&dns_queries, &pk);

	sc->ancount = ancount > DNS_MAX_ANSWERS ? DNS_MAX_ANSWERS : ancount;
	bpf_tail_call(skb, &world_dns_progs, WORLD_DNS_QUESTION);
deliver:
	return world_dns_deliver(sc);
}

/* Stage 1: step over the echoed question to the first answer record. */
SEC("tc")
int world_dns_question(struct __sk_buff *skb)
{
	struct world_scratch *sc = world_dns_scratch();
	__u32 qoff, pos = 0;
	__u64 avail; /* 64-bit: no zero-extension copy for the checks to miss */
	int k;

	if (!sc)
		return TC_ACT_OK;
	if (!sc->ifindex)
		goto deliver;
	qoff = sc->l4_off + sizeof(struct udphdr) + sizeof(struct cp_dnshdr);
	avail = skb->len;
	if (avail <= qoff)
		goto deliver;
	avail -= qoff;
	if (avail > DNS_NAME_MAX)
		avail = DNS_NAME_MAX;
	barrier_var(avail);
	if (avail < 1 || avail > DNS_NAME_MAX)
		goto deliver;
	if (bpf_skb_load_bytes(skb, qoff, sc->name, avail) < 0)
		goto deliver;

	/* One label per iteration; a name has at most DNS_NAME_MAX/2 labels. */
	for (k = 0; k < DNS_NAME_MAX / 2; k++) {
		__u8 c;

		if (pos >= avail)
			goto deliver;
		c = sc->name[pos & (DNS_NAME_MAX - 1)];
		if (c == 0)
			break;
		if (c > 63)
			goto deliver;
		pos += c + 1;
	}
	if (pos >= avail || sc->name[pos & (DNS_NAME_MAX - 1)] != 0)
		goto deliver;

	/* terminator, QTYPE, QCLASS */
	sc->ans_off = qoff + pos + 1 + 4;
	bpf_tail_call(skb, &world_dns_progs, WORLD_DNS_ANSWERS);
deliver:
	return world_dns_deliver(sc);
}

/*
 * Stage 2: walk the answer records and learn every A record. Owner names
 * are compression pointers in practice; anything else ends the walk, as
 * does a record that runs past the packet.
 */
SEC("tc")
int world_dns_answers(struct __sk_buff *skb)
{
	struct world_scratch *sc = world_dns_scratch();
	__u32 off, tap, flags, n;
	int k;

	if (!sc)
		return TC_ACT_OK;
	tap = sc->ifindex;
	if (!tap)
		goto deliver;
	off = sc->ans_off;
	flags = sc->flags;
	n = sc->ancount;

	for (k = 0; k < DNS_MAX_ANSWERS; k++) {
		struct cp_dns_rr rr;
		__u8 owner;
		__be32 addr;

		if (k >= n)
			break;
		if (bpf_skb_load_bytes(skb, off, &owner, 1) < 0)
			break;
		if ((owner & 0xc0) == 0xc0)
			off += 2;
		else if (owner == 0)
			off += 1;
		else
			break;
		if (bpf_skb_load_bytes(skb, off, &rr, sizeof(rr)) < 0)
			break;
		off += sizeof(rr);
		if (rr.type == bpf_htons(DNS_TYPE_A) && rr.class == bpf_htons(DNS_CLASS_IN) &&
		    rr.rdlength == bpf_htons(4)) {
			if (bpf_skb_load_bytes(skb, off, &addr, sizeof(addr)) < 0)
				break;
			world_dns_learn(tap, addr, flags,
					((__u32)bpf_ntohs(rr.ttl_hi) << 16) | bpf_ntohs(rr.ttl_lo),
					&sc->learned);
		}
		off += bpf_ntohs(rr.rdlength);
	}
deliver:
	return world_dns_deliver(sc);
}

char LICENSE[] SEC("license") = "GPL";
