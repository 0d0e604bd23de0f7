#ifndef ARRAY_OF_MAPS_GEN_H
#define ARRAY_OF_MAPS_GEN_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DENY_SET_MAX 16384
#define GENERATIONS 2

/* Two generations of the same source-address deny set: the agent fills
 * the idle one, then flips deny_active, so the datapath never sees a
 * half-written list. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, __u8);
	__uint(max_entries, DENY_SET_MAX);
} deny_gen0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, __u8);
	__uint(max_entries, DENY_SET_MAX);
} deny_gen1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, GENERATIONS);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, __be32);
		__type(value, __u8);
		__uint(max_entries, DENY_SET_MAX);
	});
} deny_generations SEC(".maps");

/* Index of the live generation in deny_generations. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} deny_active SEC(".maps");

#endif
