/* The shape of Coppice's shared maps (SPEC.md), as a program's own header would declare them. */
// expect-types: struct mvm_meta, struct mvm_port, struct session_key, struct nat_session, struct ingress_session, struct snat_ip, struct lpm_v4_key
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct mvm_meta { __u32 version; __u32 ip; __u8 uuid[64]; __u8 reserved[56]; };
struct mvm_port { __u32 ifindex; __u16 listen_port; __u16 reserved; };
struct session_key { __u32 src_ip; __u32 dst_ip; __u16 src_port; __u16 dst_port; __u32 version; __u8 protocol; __u8 reserved[3]; };
struct nat_session {
	__u64 access_time;
	__u32 node_ifindex, node_ip, vm_ifindex, vm_ip;
	__u16 node_port, vm_port;
	__u8 state, active_close;
	__u8 reserved[34];
};
struct ingress_session { __u32 version; __u32 vm_ip; __u16 vm_port; __u16 reserved[3]; };
struct snat_ip { struct bpf_spin_lock lock; __u32 ifindex; __u32 ip; __u16 max_port; __u16 reserved; };
struct lpm_v4_key { __u32 prefixlen; __u32 ip; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __u32); __type(value, __u32); __uint(max_entries, 8192); __uint(pinning, LIBBPF_PIN_BY_NAME); } mvmip_to_ifindex SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __u32); __type(value, struct mvm_meta); __uint(max_entries, 8192); __uint(pinning, LIBBPF_PIN_BY_NAME); } ifindex_to_mvmmeta SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, __be16); __type(value, struct mvm_port); __uint(max_entries, 65536); __uint(pinning, LIBBPF_PIN_BY_NAME); } remote_port_mapping SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct mvm_port); __type(value, __be16); __uint(max_entries, 65536); __uint(pinning, LIBBPF_PIN_BY_NAME); } local_port_mapping SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct session_key); __type(value, struct nat_session); __uint(max_entries, 1 << 20); __uint(pinning, LIBBPF_PIN_BY_NAME); } egress_sessions SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct session_key); __type(value, struct ingress_session); __uint(max_entries, 1 << 20); __uint(pinning, LIBBPF_PIN_BY_NAME); } ingress_sessions SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, __u32); __type(value, struct snat_ip); __uint(max_entries, 4); __uint(pinning, LIBBPF_PIN_BY_NAME); } snat_iplist SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __type(key, __u32); __uint(max_entries, 8192); __uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __type(key, struct lpm_v4_key); __type(value, __u32); __uint(max_entries, 1024); __uint(map_flags, BPF_F_NO_PREALLOC); });
} allow_out SEC(".maps"), deny_out SEC(".maps");

const volatile __u32 mvm_inner_ip = 0x0644fea9;
const volatile __u32 mvm_gateway_ip = 0x0544fea9;
char LICENSE[] SEC("license") = "GPL";
