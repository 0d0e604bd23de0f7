/* Globals in every data section kind. Their initial values are stated once more in
 * test/btf/globals.test.ts, as the C source gives them. */
#include "probe.h"

enum mode { MODE_OFF, MODE_ON = 3, MODE_AUTO };

struct limits {
	__u16 port;
	__u8 proto;
	unsigned int fast : 1, slow : 2;
	signed int delta : 5;
	enum mode m : 3;
	__u64 big;
	char tag[6];
	__s8 neg;
	union { __u32 raw; __u8 b[4]; };
};

const volatile __u32 cfg_mark = 0x42;
const volatile __u8 cfg_mode = 3;
const volatile __u64 cfg_big = 0x1122334455667788ULL;
const volatile __s32 cfg_neg = -5;
const volatile _Bool cfg_flag = 1;
const volatile enum mode cfg_enum = MODE_AUTO;
const volatile char cfg_name[16] = "coppice";
const volatile __u8 cfg_mac[6] = { 0x02, 0, 0x5e, 0x10, 0xff, 0x01 };
const volatile float cfg_ratio = 0.5f;
const volatile double cfg_precise = -2.25;
const volatile struct limits cfg_limits = {
	.port = 8080, .proto = 17, .fast = 1, .slow = 2, .delta = -3, .m = MODE_ON,
	.big = 0xfedcba9876543210ULL, .tag = "ab", .neg = -1, .raw = 0x01020304,
};
const volatile __u32 cfg_ports[3] = { 22, 80, 443 };
static const volatile __u16 cfg_static = 7;

__u64 data_counter = 99;
static __s16 data_static = -300;
struct limits data_limits = { .port = 53, .slow = 1, .tag = "dns" };

__u32 bss_hits;
static __u64 bss_static[4];

const volatile __u32 custom_ro SEC(".rodata.custom") = 1234;
__u32 custom_rw SEC(".data.custom") = 4321;

SEC("tc")
int globals_prog(struct __sk_buff *skb)
{
	bss_hits++;
	bss_static[skb->mark & 3]++;
	data_static += skb->len;
	return cfg_mark + cfg_mode + cfg_big + cfg_neg + cfg_flag + cfg_enum + cfg_name[skb->len & 15] +
	       cfg_mac[skb->mark % 6] + *(const volatile __u32 *)&cfg_ratio + *(const volatile __u64 *)&cfg_precise + cfg_limits.port + cfg_limits.slow +
	       cfg_ports[skb->len % 3] + cfg_static + data_counter + data_static + data_limits.proto +
	       custom_ro + custom_rw;
}

char LICENSE[] SEC("license") = "GPL";
