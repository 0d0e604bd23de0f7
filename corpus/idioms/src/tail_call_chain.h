#ifndef TAIL_CALL_CHAIN_H
#define TAIL_CALL_CHAIN_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Slots of the pipeline; the loader fills them from the static
 * initialiser in the .c file. */
#define STAGE_IPV4 0
#define STAGE_IPV6 1
#define STAGE_TCP4 2
#define STAGES_MAX 8

#define PORT_TELNET 23
#define PORT_CHARGEN 19

/* Prog arrays take no BTF key/value types: the kernel refuses them, so
 * sizes are given instead. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(max_entries, STAGES_MAX);
	__array(values, int (struct __sk_buff *));
} stages SEC(".maps");

#endif
