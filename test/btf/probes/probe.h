/* Just enough of the usual BPF program macros for the probes, so that they build
 * without libbpf headers for every target and compiler in the matrix. */
#ifndef PROBE_H
#define PROBE_H
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define PROBE_CONCAT2(a, b) a##b
#define PROBE_CONCAT(a, b) PROBE_CONCAT2(a, b)
#define __ulong(name, val) enum { PROBE_CONCAT(probe_unique_, __COUNTER__) = val } name
#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __ksym __attribute__((section(".ksyms")))
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
struct __sk_buff { __u32 len; __u32 pkt_type; __u32 mark; __u32 queue_mapping; __u32 protocol; };
struct xdp_md { __u32 data; __u32 data_end; __u32 data_meta; __u32 ingress_ifindex; };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;
static long (*bpf_tail_call)(void *ctx, void *prog_array_map, __u32 index) = (void *)12;
#endif
