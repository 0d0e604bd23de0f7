// The response buffer, error state, and the small parsers of the line protocol.
// A response is built whole in memory and written with one write(2) per line, so the
// driver never sees half a line and nothing depends on stdio buffering of a FIFO.

#define _GNU_SOURCE
#include "oracle.h"
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *buf;
static size_t len, cap;

static void reserve(size_t more) {
	if (len + more + 1 <= cap) return;
	size_t want = cap ? cap : 4096;
	while (want < len + more + 1) want *= 2;
	char *p = realloc(buf, want);
	if (!p) {
		// Out of memory while answering: nothing sensible is left to do.
		static const char oom[] = "{\"ok\":false,\"error\":\"oracle out of memory\"}\n";
		if (write(1, oom, sizeof(oom) - 1) < 0) _exit(3);
		_exit(3);
	}
	buf = p;
	cap = want;
}

void out_reset(void) { len = 0; }

void out_raw(const char *s) {
	size_t n = strlen(s);
	reserve(n);
	memcpy(buf + len, s, n);
	len += n;
}

void out_fmt(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n < sizeof(tmp)) {
		reserve((size_t)n);
		memcpy(buf + len, tmp, (size_t)n);
		len += (size_t)n;
		return;
	}
	reserve((size_t)n);
	va_start(ap, fmt);
	vsnprintf(buf + len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	len += (size_t)n;
}

void out_hex(const unsigned char *b, size_t n) {
	static const char digits[] = "0123456789abcdef";
	reserve(2 * n);
	for (size_t i = 0; i < n; i++) {
		buf[len++] = digits[b[i] >> 4];
		buf[len++] = digits[b[i] & 15];
	}
}

void out_json_str(const char *s) {
	reserve(2);
	buf[len++] = '"';
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') out_fmt("\\%c", c);
		else if (c == '\n') out_raw("\\n");
		else if (c == '\t') out_raw("\\t");
		else if (c < 0x20 || c >= 0x7f) out_fmt("\\u%04x", c); // bytes, not UTF-8: keep JSON valid
		else {
			reserve(1);
			buf[len++] = (char)c;
		}
	}
	reserve(1);
	buf[len++] = '"';
}

const char *out_data(size_t *n) {
	*n = len;
	return buf;
}

void out_flush_line(void) {
	reserve(1);
	buf[len++] = '\n';
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(1, buf + off, len - off);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) _exit(0); // the driver is gone
		off += (size_t)w;
	}
	len = 0;
}

// ---- errors ----------------------------------------------------------------------------

static char error_msg[8192];
static int error_no;

int fail(int err, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	error_no = err;
	return -1;
}

const char *last_error(int *err) {
	*err = error_no;
	return error_msg;
}

// ---- libbpf's log ----------------------------------------------------------------------

static char lb_log[1 << 17];
static size_t lb_len;

void libbpf_log_reset(void) {
	lb_len = 0;
	lb_log[0] = 0;
}

int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap);
int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap) {
	(void)level;
	if (lb_len < sizeof(lb_log) - 1) {
		int n = vsnprintf(lb_log + lb_len, sizeof(lb_log) - lb_len, fmt, ap);
		if (n > 0) lb_len += (size_t)n;
		if (lb_len > sizeof(lb_log) - 1) lb_len = sizeof(lb_log) - 1;
	}
	return 0;
}

// The end of a verifier log is where it says why it refused.
const char *libbpf_log_tail(size_t keep) { return lb_len > keep ? lb_log + lb_len - keep : lb_log; }

// ---- parsers ---------------------------------------------------------------------------

static int hexval(char c) {
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, unsigned char **out, size_t *n) {
	*out = NULL;
	*n = 0;
	if (!s) return fail(EINVAL, "missing hex bytes");
	if (strcmp(s, "-") == 0) {
		*out = calloc(1, 1);
		return *out ? 0 : fail(ENOMEM, "out of memory");
	}
	size_t sl = strlen(s);
	if (sl % 2) return fail(EINVAL, "odd number of hex digits");
	unsigned char *b = malloc(sl / 2 + 1);
	if (!b) return fail(ENOMEM, "out of memory");
	for (size_t i = 0; i < sl / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return fail(EINVAL, "not hex: %.40s", s);
		}
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	*out = b;
	*n = sl / 2;
	return 0;
}

int parse_u64(const char *s, unsigned long long *v) {
	if (!s || !*s || *s == '-') return fail(EINVAL, "not an unsigned number: %.40s", s ? s : "");
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end) return fail(EINVAL, "not an unsigned number: %.40s", s);
	*v = x;
	return 0;
}

int parse_u32(const char *s, __u32 *v) {
	unsigned long long x;
	if (parse_u64(s, &x)) return -1;
	if (x > 0xffffffffULL) return fail(ERANGE, "does not fit 32 bits: %.40s", s);
	*v = (__u32)x;
	return 0;
}
