#ifndef LEGACY_ELF_MAP_H
#define LEGACY_ELF_MAP_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Pinning modes understood by tc's ELF loader. */
#define PIN_NONE 0
#define PIN_OBJECT_NS 1
#define PIN_GLOBAL_NS 2

#define BLOCKED_SRC_MAX 4096

/* iproute2's map definition (28 bytes). libbpf 1.x no longer reads the
 * "maps" section, so the layout is spelled out here for tc. */
struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
};

/* Global pin (/sys/fs/bpf/tc/globals/blocked_src): every tc filter on
 * the host shares one list, and the operator edits it by path. */
struct bpf_elf_map SEC("maps") blocked_src = {
	.type = BPF_MAP_TYPE_HASH,
	.size_key = sizeof(__be32),
	.size_value = sizeof(__u32),
	.max_elem = BLOCKED_SRC_MAX,
	.pinning = PIN_GLOBAL_NS,
};

/* Per-object pin: drop statistics of this filter instance only. */
struct bpf_elf_map SEC("maps") blocked_drops = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u64),
	.max_elem = 1,
	.pinning = PIN_OBJECT_NS,
};

#endif
