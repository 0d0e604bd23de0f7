/* `__ulong(map_extra, V)`: map_extra as a one-value enum (an ENUM64 with clang >= 15
 * when the value needs it). Newer libbpf reads it; libbpf 1.1 (bpftool 7.1) refuses it,
 * so it lives apart from maps.c. */
#include "probe.h"

struct {
	__uint(type, 30 /* BPF_MAP_TYPE_BLOOM_FILTER */);
	__uint(max_entries, 10);
	__uint(value_size, 8);
	__ulong(map_extra, 5);
} bloom_enum SEC(".maps");

#if __clang_major__ >= 15
struct {
	__uint(type, 33 /* BPF_MAP_TYPE_ARENA */);
	__uint(max_entries, 4);
	__uint(map_flags, 0x400 /* BPF_F_MMAPABLE */);
	__ulong(map_extra, 0x100000000ULL);
} arena SEC(".maps");
#endif

SEC("tc")
int extra_prog(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
