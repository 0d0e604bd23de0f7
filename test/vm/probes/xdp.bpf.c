// SPDX-License-Identifier: GPL-2.0
/* XDP buffer helpers and xdp_md; the first payload byte (offset 14) picks a variant. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 res[32];

static __always_inline int sel(struct xdp_md *ctx)
{
	__u8 *d = (void *)(long)ctx->data;

	if ((void *)(d + 15) > (void *)(long)ctx->data_end)
		return -1;
	return d[14];
}

SEC("xdp")
int xdp_buf(struct xdp_md *ctx)
{
	__u64 x = 0x0102030405060708ULL;
	__u8 buf[8] = {};
	int s = sel(ctx);

	res[0] = ctx->ingress_ifindex;
	res[1] = ctx->rx_queue_index;
	res[2] = (long)ctx->data_end - (long)ctx->data;
	res[3] = (long)ctx->data - (long)ctx->data_meta;
	res[4] = bpf_xdp_get_buff_len(ctx);
	switch (s) {
	case 0:
		res[5] = bpf_xdp_adjust_head(ctx, -20);
		res[6] = bpf_xdp_adjust_head(ctx, -300);
		res[7] = bpf_xdp_adjust_head(ctx, 4000);
		break;
	case 1:
		res[5] = bpf_xdp_adjust_head(ctx, 10);
		break;
	case 2:
		res[5] = bpf_xdp_adjust_tail(ctx, 16);
		res[6] = bpf_xdp_adjust_tail(ctx, -4);
		res[7] = bpf_xdp_adjust_tail(ctx, 4000);
		res[8] = bpf_xdp_adjust_tail(ctx, -2000);
		break;
	case 3:
		res[5] = bpf_xdp_adjust_meta(ctx, -8);
		res[6] = bpf_xdp_adjust_meta(ctx, -6);
		res[7] = bpf_xdp_adjust_meta(ctx, -40);
		res[8] = bpf_xdp_adjust_head(ctx, -8);
		break;
	case 4:
		res[5] = bpf_xdp_load_bytes(ctx, 2, buf, 8);
		res[6] = *(__u64 *)buf;
		res[7] = bpf_xdp_store_bytes(ctx, 6, &x, 8);
		res[8] = bpf_xdp_load_bytes(ctx, 100, buf, 8);
		res[9] = bpf_xdp_store_bytes(ctx, 0x10000, &x, 8);
		break;
	case 5:
		return bpf_redirect(3, 0);
	case 6:
		return bpf_redirect(3, 1);
	case 7: {
		__u32 mtu = 0;

		res[5] = bpf_check_mtu(ctx, 0, &mtu, 0, 0);
		res[6] = mtu;
		res[7] = bpf_check_mtu(ctx, 0, &mtu, 0, 1);
		res[8] = mtu;
		break;
	}
	case 8: {
		struct bpf_fib_lookup fib = {};

		fib.family = 2;
		fib.ifindex = ctx->ingress_ifindex;
		res[5] = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
		break;
	}
	}
	res[10] = (long)ctx->data_end - (long)ctx->data;
	res[11] = (long)ctx->data - (long)ctx->data_meta;
	{
		__u8 *d = (void *)(long)ctx->data;

		if ((void *)(d + 1) <= (void *)(long)ctx->data_end)
			d[0] = 0xee;
	}
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
