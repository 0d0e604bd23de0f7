/* Kernel structs from <linux/bpf.h> embedded in map values. */
// expect-types: struct kn_value, struct kn_lpm_key, struct kn_storage
#include <linux/bpf.h>
struct kn_value { struct bpf_spin_lock lock; __u32 count; struct bpf_timer timer; __u64 last; };
struct kn_lpm_key { struct bpf_lpm_trie_key_u8 hdr; __u8 addr[4]; };
struct kn_storage { struct bpf_cgroup_storage_key key; struct bpf_lpm_trie_key k2; struct bpf_dynptr dp; };
