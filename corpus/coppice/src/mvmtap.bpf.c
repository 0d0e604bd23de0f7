// SPDX-License-Identifier: GPL-2.0
/*
 * from_cube: tc ingress on every sandbox TAP, i.e. every frame a microVM
 * sends. Answers ARP for the VM, keeps it on its own addresses, enforces its
 * destination policy and rate, steers L7-policed flows to the host proxy,
 * learns domain allow lists from its DNS queries, and SNATs the rest out of
 * the host NIC.
 */
#include "coppice_helpers.h"
#include "coppice_maps.h"
#include "mvmtap_maps.h"
#include "coppice_nat.h"

/* Attempts at finding a free SNAT port before the flow is dropped. */
#define SNAT_RETRIES 10

/* ---------------------------------------------------------------- proxy ARP */

/*
 * The VM resolves every next hop (its gateway, really) through ARP; there is
 * nobody on the TAP to answer but us. Out of line: it is the one path that
 * writes the packet directly and is cold next to IPv4.
 */
static __attribute__((noinline)) int cube_proxy_arp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct cp_arp_eth *arp = data + ETH_HLEN;
	__u8 gw_mac[ETH_ALEN];
	__be32 gw1 = mvm_gateway_macaddr_p1;
	__be16 gw2 = mvm_gateway_macaddr_p2;
	__be32 tpa, inner = mvm_inner_ip;

	if ((void *)(arp + 1) > data_end)
		return TC_ACT_SHOT;
	if (arp->htype != bpf_htons(CP_ARPHRD_ETHER) || arp->ptype != bpf_htons(ETH_P_IP) ||
	    arp->hlen != ETH_ALEN || arp->plen != 4 || arp->op != bpf_htons(CP_ARPOP_REQUEST))
		return TC_ACT_SHOT;

	__builtin_memcpy(&tpa, arp->tpa, 4);
	/* Probes for the VM's own address (DAD) must stay unanswered. */
	if (tpa == inner)
		return TC_ACT_SHOT;

	__builtin_memcpy(&gw_mac[0], &gw1, 4);
	__builtin_memcpy(&gw_mac[4], &gw2, 2);

	arp->op = bpf_htons(CP_ARPOP_REPLY);
	__builtin_memcpy(arp->tha, arp->sha, ETH_ALEN);
	__builtin_memcpy(arp->tpa, arp->spa, 4);
	__builtin_memcpy(arp->sha, gw_mac, ETH_ALEN);
	__builtin_memcpy(arp->spa, &tpa, 4);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, gw_mac, ETH_ALEN);

	/* Egress of the same TAP is the way back into the VM. */
	return bpf_redirect(skb->ifindex, 0);
}

/* ------------------------------------------------------------------ policy */

/*
 * Destination policy of one sandbox: < 0 denies, otherwise the flags of the
 * allow_out entry that matched (0 for a plain allow or no match at all).
 * A match in allow_out wins over any deny, so the agent can open holes in
 * the private ranges it always denies.
 */
static __attribute__((noinline)) long cube_policy(__u32 ifindex, __be32 daddr)
{
	struct lpm_v4_key key = { .prefixlen = 32, .ip = daddr };
	__u32 *flags;
	void *trie;

	if (daddr == mvm_gateway_ip)
		return 0;

	trie = bpf_map_lookup_elem(&allow_out, &ifindex);
	if (trie) {
		flags = bpf_map_lookup_elem(trie, &key);
		if (flags)
			return *flags;
	}
	trie = bpf_map_lookup_elem(&deny_out, &ifindex);
	if (trie && bpf_map_lookup_elem(trie, &key))
		return -1;
	return 0;
}

/* -------------------------------------------------------------- rate limit */

/*
 * Earliest-departure-time pacing: each packet is stamped with the time the
 * sandbox's byte budget allows it to leave, and the fq qdisc on the host NIC
 * holds it until then. Packets that would wait past the horizon are dropped
 * here instead of queueing without bound. Returns < 0 to drop.
 */
static __attribute__((noinline)) int edt_schedule(struct __sk_buff *skb, __u32 ifindex)
{
	struct mvm_rate *rl = bpf_map_lookup_elem(&egress_rate, &ifindex);
	__u64 rate, now, delay, t, next;

	if (!rl)
		return 0;
	rate = rl->bytes_per_sec;
	if (!rate)
		return 0;

	now = bpf_ktime_get_ns();
	t = skb->tstamp;
	if (t < now)
		t = now;
	delay = (__u64)skb->len * NSEC_PER_SEC / rate;
	next = rl->next_departure_ns + delay;
	if (next <= t) {
		/* Idle long enough: the budget restarts from this packet. */
		rl->next_departure_ns = t;
		return 0;
	}
	if (next - now > edt_horizon_ns) {
		__sync_fetch_and_add(&rl->dropped, 1);
		return -1;
	}
	rl->next_departure_ns = next;
	skb->tstamp = next;
	return 0;
}

/* -------------------------------------------------------------------- SNAT */

/*
 * Pick the SNAT address for this sandbox and a port from its waterline, and
 * claim the reverse tuple. The waterline only moves forward, so a port can
 * still be in use by an older flow to the same destination: NOEXIST on the
 * reverse entry is what makes the claim safe, and a collision just takes the
 * next port.
 */
static __attribute__((noinline)) int snat_alloc(const struct session_key *key,
						 struct nat_session *ns)
{
	/* Hash the address as a number so both byte orders pick the same slot. */
	__u32 idx = cp_jhash_1word(bpf_ntohl(key->src_ip), 0) % COPPICE_SNAT_POOL;
	struct ingress_session rev = {};
	struct session_key rkey;
	struct snat_ip *e;
	__u32 lo = snat_port_min, hi = snat_port_max, port;
	__be32 node_ip;
	int i;

	e = bpf_map_lookup_elem(&snat_iplist, &idx);
	if (!e)
		return -1;
	node_ip = e->ip;
	if (!node_ip)
		return -1;

	rev.version = key->version;
	rev.vm_ip = key->src_ip;
	rev.vm_port = key->src_port;

	for (i = 0; i < SNAT_RETRIES; i++) {
		bpf_spin_lock(&e->lock);
		port = e->max_port + 1;
		if (port > hi || port < lo)
			port = lo;
		e->max_port = port;
		bpf_spin_unlock(&e->lock);

		ct_reverse_key(&rkey, key, node_ip, bpf_htons(port));
		if (bpf_map_update_elem(&ingress_sessions, &rkey, &rev, BPF_NOEXIST) == 0) {
			ns->node_ifindex = e->ifindex;
			ns->node_ip = node_ip;
			ns->node_port = rkey.dst_port;
			return 0;
		}
	}
	return -1;
}

/*
 * Step 8 of from_cube: find or create the flow's session, rewrite the
 * source to the SNAT address and port, pace, and send it out of the host
 * NIC. Out of line because the DNS parser stages end here too.
 */
static __attribute__((noinline)) int cube_nat_xmit(struct __sk_buff *skb,
						    const struct pkt_info *pi)
{
	struct session_key key = {};
	struct nat_session fresh;
	struct nat_session *s;
	__u64 now = bpf_ktime_get_ns();
	__u32 out_ifindex;
	__be32 node_ip;
	__be16 node_port;

	key.src_ip = pi->vm_ip;
	key.dst_ip = pi->daddr;
	key.src_port = pi->sport;
	key.dst_port = pi->dport;
	key.version = pi->vm_version;
	key.protocol = pi->proto;

	s = bpf_map_lookup_elem(&egress_sessions, &key);
	if (s) {
		if (pi->proto == IPPROTO_TCP)
			tcp_state_update(s, pi->tcp_flags, CT_DIR_ORIGINAL);
		s->access_time = now;
		out_ifindex = s->node_ifindex;
		node_ip = s->node_ip;
		node_port = s->node_port;
	} else {
		/* Mid-stream TCP without a session would only leak the VM's ports. */
		if (pi->proto == IPPROTO_TCP && !cp_tcp_bare_syn(pi->tcp_flags))
			return TC_ACT_SHOT;

		__builtin_memset(&fresh, 0, sizeof(fresh));
		fresh.vm_ifindex = pi->ifindex;
		fresh.vm_ip = key.src_ip;
		fresh.vm_port = key.src_port;
		if (snat_alloc(&key, &fresh) < 0)
			return TC_ACT_SHOT;
		if (pi->proto == IPPROTO_TCP)
			tcp_state_update(&fresh, pi->tcp_flags, CT_DIR_ORIGINAL);
		else if (pi->proto == IPPROTO_UDP)
			fresh.state = CT_UDP_UNREPLIED;
		else
			fresh.state = CT_ICMP_ACTIVE;
		fresh.access_time = now;

		if (bpf_map_update_elem(&egress_sessions, &key, &fresh, BPF_ANY) < 0) {
			struct session_key rkey;

			ct_reverse_key(&rkey, &key, fresh.node_ip, fresh.node_port);
			bpf_map_delete_elem(&ingress_sessions, &rkey);
			return TC_ACT_SHOT;
		}
		out_ifindex = fresh.node_ifindex;
		node_ip = fresh.node_ip;
		node_port = fresh.node_port;
	}

	if (cp_rewrite_ip4_diff(skb, pi, IP_OFF_SADDR, pi->vm_ip, node_ip) < 0)
		return TC_ACT_SHOT;
	if (cp_rewrite_l4_id(skb, pi, 0, pi->sport, node_port) < 0)
		return TC_ACT_SHOT;
	if (cp_set_eth(skb, nodegw_macaddr_p1, nodegw_macaddr_p2,
		       nodenic_macaddr_p1, nodenic_macaddr_p2) < 0)
		return TC_ACT_SHOT;
	if (edt_schedule(skb, pi->ifindex) < 0)
		return TC_ACT_SHOT;
	if (!out_ifindex)
		out_ifindex = nodenic_ifindex;
	return bpf_redirect(out_ifindex, 0);
}

/* ------------------------------------------------------ other destinations */

/*
 * Step 4: the gateway address stands for the host. ICMP and established TCP
 * (replies to connections the host's proxy opened towards the VM) go to
 * cube-dev; a VM may not open connections to the host.
 */
static __always_inline int cube_to_gateway(struct __sk_buff *skb, const struct pkt_info *pi)
{
	if (pi->proto == IPPROTO_TCP) {
		if (cp_tcp_bare_syn(pi->tcp_flags))
			return TC_ACT_SHOT;
	} else if (pi->proto != IPPROTO_ICMP) {
		return TC_ACT_SHOT;
	}

	if (cp_rewrite_ip4(skb, pi, IP_OFF_DADDR, pi->daddr, cubegw0_ip) < 0)
		return TC_ACT_SHOT;
	if (cp_set_eth(skb, cubegw0_macaddr_p1, cubegw0_macaddr_p2,
		       mvm_macaddr_p1, mvm_macaddr_p2) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(cubegw0_ifindex, BPF_F_INGRESS);
}

/*
 * Step 5: a reply on a port the host forwards into this VM. from_world
 * DNATed the request from the host NIC's address, so the reply must leave
 * from that address and the host port, or the peer will not recognise it.
 */
static __always_inline int cube_port_reply(struct __sk_buff *skb, const struct pkt_info *pi,
					   __be16 host_port)
{
	if (cp_rewrite_ip4(skb, pi, IP_OFF_SADDR, pi->vm_ip, nodenic_ip) < 0)
		return TC_ACT_SHOT;
	if (cp_rewrite_port(skb, pi, pi->l4_off, pi->sport, host_port) < 0)
		return TC_ACT_SHOT;
	if (cp_set_eth(skb, nodegw_macaddr_p1, nodegw_macaddr_p2,
		       nodenic_macaddr_p1, nodenic_macaddr_p2) < 0)
		return TC_ACT_SHOT;
	if (edt_schedule(skb, pi->ifindex) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(nodenic_ifindex, 0);
}

/*
 * Destinations whose allow entry demands L7 inspection reach the world only
 * through the transparent proxy behind cube-dev; the mark tells it which
 * protocol to speak. Anything it cannot proxy is refused.
 */
static __always_inline int cube_l7_steer(struct __sk_buff *skb, const struct pkt_info *pi)
{
	__u32 mark;

	if (pi->proto != IPPROTO_TCP || pi->frag)
		return TC_ACT_SHOT;
	if (pi->dport == bpf_htons(80))
		mark = L7_MARK_HTTP;
	else if (pi->dport == bpf_htons(443))
		mark = L7_MARK_HTTPS;
	else
		return TC_ACT_SHOT;

	skb->mark = (skb->mark & ~L7_MARK_MASK) | mark;
	if (cp_set_eth(skb, cubegw0_macaddr_p1, cubegw0_macaddr_p2,
		       mvm_macaddr_p1, mvm_macaddr_p2) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(cubegw0_ifindex, BPF_F_INGRESS);
}

/* ------------------------------------------------------------------ entry */

SEC("tc")
int from_cube(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct pkt_info pi = {};
	struct mvm_meta *meta;
	__u32 ifindex = skb->ifindex;
	long verdict;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IP)) {
		if (eth->h_proto == bpf_htons(ETH_P_ARP))
			return cube_proxy_arp(skb);
		return TC_ACT_SHOT;
	}

	meta = bpf_map_lookup_elem(&ifindex_to_mvmmeta, &ifindex);
	if (!meta)
		return TC_ACT_SHOT;
	if (cp_parse_ipv4(skb, &pi) < 0)
		return TC_ACT_SHOT;
	pi.ifindex = ifindex;
	pi.vm_ip = meta->ip;
	pi.vm_version = meta->version;

	/* Every sandbox has the same inner address; anything else is spoofed. */
	if (pi.saddr != mvm_inner_ip)
		return TC_ACT_SHOT;
	if (cp_rewrite_ip4(skb, &pi, IP_OFF_SADDR, pi.saddr, pi.vm_ip) < 0)
		return TC_ACT_SHOT;
	pi.saddr = pi.vm_ip;

	if (pi.daddr == mvm_gateway_ip)
		return cube_to_gateway(skb, &pi);

	if (pi.proto == IPPROTO_TCP && !(pi.frag & PKT_FRAG_LATER)) {
		struct mvm_port lp = { .ifindex = ifindex, .listen_port = pi.sport };
		__be16 *host_port = bpf_map_lookup_elem(&local_port_mapping, &lp);

		if (host_port)
			return cube_port_reply(skb, &pi, *host_port);
	}

	verdict = cube_policy(ifindex, pi.daddr);
	if (verdict < 0)
		return TC_ACT_SHOT;
	if (verdict & ALLOW_F_L7)
		return cube_l7_steer(skb, &pi);

	if (pi.frag)
		return TC_ACT_SHOT;
	switch (pi.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		break;
	case IPPROTO_ICMP:
		if (pi.icmp_type != CP_ICMP_ECHO)
			return TC_ACT_SHOT;
		break;
	default:
		return TC_ACT_SHOT;
	}

	if (dns_learning_enabled && pi.proto == IPPROTO_UDP && pi.dport == bpf_htons(DNS_PORT)) {
		__u32 zero = 0;
		struct cube_scratch *sc = bpf_map_lookup_elem(&cube_percpu, &zero);

		if (sc) {
			sc->pi = pi;
			bpf_tail_call(skb, &cube_dns_progs, CUBE_DNS_HDR);
			/* No parser loaded: the query goes out unlearned. */
			sc->pi.ifindex = 0;
		}
	}
	return cube_nat_xmit(skb, &pi);
}

/* ------------------------------------------------------- DNS query parser */

/*
 * Every stage ends here when it has nothing (more) to learn: the query is
 * NATed like any other datagram. The scratch copy is consumed so a stage run
 * on its own never acts on a stale frame.
 */
static __always_inline int cube_dns_deliver(struct __sk_buff *skb, struct cube_scratch *sc)
{
	struct pkt_info pi = sc->pi;

	sc->pi.ifindex = 0;
	if (!pi.ifindex || pi.ifindex != skb->ifindex)
		return TC_ACT_SHOT;
	return cube_nat_xmit(skb, &pi);
}

static __always_inline struct cube_scratch *cube_dns_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cube_percpu, &zero);
}

/* Stage 0: a standard query with exactly one question, or nothing to learn. */
SEC("tc")
int cube_dns_hdr(struct __sk_buff *skb)
{
	struct cube_scratch *sc = cube_dns_scratch();
	struct cp_dnshdr h;
	__u16 flags;

	if (!sc)
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(skb, sc->pi.l4_off + sizeof(struct udphdr), &h, sizeof(h)) < 0)
		goto deliver;
	flags = bpf_ntohs(h.flags);
	if ((flags & (DNS_QR | DNS_OPCODE_MASK)) || h.qdcount != bpf_htons(1))
		goto deliver;

	sc->dns_id = h.id;
	bpf_tail_call(skb, &cube_dns_progs, CUBE_DNS_NAME);
deliver:
	return cube_dns_deliver(skb, sc);
}

/*
 * Stage 1: copy the question name and turn it from wire format into the
 * dotted form the domain tries use. The wire format has one length byte
 * where the dotted form (with a leading dot) has a dot, so the conversion
 * happens in place and keeps the length.
 */
SEC("tc")
int cube_dns_name(struct __sk_buff *skb)
{
	struct cube_scratch *sc = cube_dns_scratch();
	__u32 qoff, left = 0, end = 0;
	__u64 avail; /* 64-bit: no zero-extension copy for the checks to miss */
	int i;

	if (!sc)
		return TC_ACT_SHOT;
	qoff = sc->pi.l4_off + sizeof(struct udphdr) + sizeof(struct cp_dnshdr);
	avail = skb->len;
	if (avail <= qoff)
		goto deliver;
	avail -= qoff;
	if (avail > DNS_NAME_MAX)
		avail = DNS_NAME_MAX;
	/* Keep the compiler from dropping the re-check the verifier needs. */
	barrier_var(avail);
	if (avail < 1 || avail > DNS_NAME_MAX)
		goto deliver;
	if (bpf_skb_load_bytes(skb, qoff, sc->name, avail) < 0)
		goto deliver;

	for (i = 0; i < DNS_NAME_MAX; i++) {
		__u8 c;

		if (i >= avail)
			goto deliver; /* name longer than we track */
		c = sc->name[i];
		if (left == 0) {
			if (c == 0) {
				end = i;
				break;
			}
			if (c > 63)
				goto deliver; /* no compression in a question */
			left = c;
			sc->name[i] = '.';
		} else {
			if (c >= 'A' && c <= 'Z')
				sc->name[i] = c + ('a' - 'A');
			left--;
		}
	}
	if (end == 0)
		goto deliver;

	sc->name_len = end;
	bpf_tail_call(skb, &cube_dns_progs, CUBE_DNS_MATCH);
deliver:
	return cube_dns_deliver(skb, sc);
}

/*
 * Stage 2: reverse the name into an LPM key, look it up in this sandbox's
 * domain trie, and remember the query so from_world knows which answers it
 * may learn from.
 */
SEC("tc")
int cube_dns_match(struct __sk_buff *skb)
{
	struct cube_scratch *sc = cube_dns_scratch();
	struct dns_pending_key pk = {};
	__u32 ifindex = skb->ifindex;
	__u32 len, j, *flags;
	void *trie;

	if (!sc)
		return TC_ACT_SHOT;
	len = sc->name_len;
	if (len == 0 || len > DNS_NAME_MAX)
		goto deliver;

	/* The tail is zeroed too: the key is stored with the pending query. */
	for (j = 0; j < DNS_NAME_MAX; j++) {
		__u8 c = 0;

		if (j < len)
			c = sc->name[(len - 1 - j) & (DNS_NAME_MAX - 1)];
		sc->pend.qname.name[j] = c;
	}
	sc->pend.qname.prefixlen = len * 8;

	trie = bpf_map_lookup_elem(&dns_domains, &ifindex);
	if (!trie)
		goto deliver;
	flags = bpf_map_lookup_elem(trie, &sc->pend.qname);
	if (!flags)
		goto deliver;

	pk.ifindex = ifindex;
	pk.port = sc->pi.sport;
	pk.id = sc->dns_id;
	sc->pend.created_ns = bpf_ktime_get_ns();
	sc->pend.flags = *flags;
	sc->pend.reserved = 0;
	sc->pend.reserved2 = 0;
	bpf_map_update_elem(&dns_queries, &pk, &sc->pend, BPF_ANY);
deliver:
	return cube_dns_deliver(skb, sc);
}

char LICENSE[] SEC("license") = "GPL";
