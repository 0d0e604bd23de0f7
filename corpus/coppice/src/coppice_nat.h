/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection tracking shared by both directions of the SNAT path
 * (from_cube and from_world). Kept out of coppice_helpers.h because
 * from_envoy has no sessions and an unused non-inline static is a warning.
 */
#ifndef COPPICE_NAT_H
#define COPPICE_NAT_H

#include "coppice_helpers.h"

#define CT_DIR_ORIGINAL 0 /* sandbox -> world */
#define CT_DIR_REPLY 1    /* world -> sandbox */

/*
 * A reduced conntrack TCP state machine. It only has to be good enough for
 * the agent's reaper to pick the right timeout, so it tracks flags, not
 * sequence numbers. Out of line: both programs run it on every TCP segment,
 * and it is called from several places in each.
 */
static __attribute__((noinline)) int tcp_state_update(struct nat_session *s, __u32 flags,
						      __u32 dir)
{
	__u32 st = s->state;
	__u32 closer = s->active_close;
	__u32 me = dir == CT_DIR_ORIGINAL ? CT_CLOSER_SANDBOX : CT_CLOSER_REMOTE;

	if (flags & CP_TCP_RST) {
		st = CT_TCP_CLOSE;
	} else if (flags & CP_TCP_SYN) {
		if (!(flags & CP_TCP_ACK)) {
			/* Only the sandbox opens; a SYN may reuse a dead tuple. */
			if (dir == CT_DIR_ORIGINAL &&
			    (st == CT_TCP_NONE || st == CT_TCP_TIME_WAIT || st == CT_TCP_CLOSE)) {
				st = CT_TCP_SYN_SENT;
				closer = CT_CLOSER_NONE;
			}
		} else if (dir == CT_DIR_REPLY && st == CT_TCP_SYN_SENT) {
			st = CT_TCP_SYN_RECV;
		}
	} else if (flags & CP_TCP_FIN) {
		if (st == CT_TCP_SYN_RECV || st == CT_TCP_ESTABLISHED) {
			st = CT_TCP_FIN_WAIT;
			closer = me;
		} else if ((st == CT_TCP_FIN_WAIT || st == CT_TCP_CLOSE_WAIT) && closer != me) {
			st = CT_TCP_LAST_ACK;
		}
	} else if (flags & CP_TCP_ACK) {
		if (st == CT_TCP_SYN_RECV && dir == CT_DIR_ORIGINAL)
			st = CT_TCP_ESTABLISHED;
		else if (st == CT_TCP_FIN_WAIT && closer != me)
			st = CT_TCP_CLOSE_WAIT;
		else if (st == CT_TCP_LAST_ACK && closer == me)
			st = CT_TCP_TIME_WAIT;
	}

	s->state = st;
	s->active_close = closer;
	return st;
}

/*
 * The reverse entry of an egress flow: what a reply from the outside looks
 * like. The version field stays 0 because from_world cannot know it before
 * the lookup; the ingress_session value carries it instead.
 */
static __always_inline void ct_reverse_key(struct session_key *rev, const struct session_key *key,
					   __be32 node_ip, __be16 node_port)
{
	__builtin_memset(rev, 0, sizeof(*rev));
	rev->src_ip = key->dst_ip;
	rev->dst_ip = node_ip;
	rev->src_port = key->dst_port;
	rev->dst_port = node_port;
	rev->protocol = key->protocol;
}

#endif /* COPPICE_NAT_H */
