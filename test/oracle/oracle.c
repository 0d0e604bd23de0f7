// oracle: the running kernel as the reference for eBPF semantics. A long-running helper
// that holds one object loaded, sets and dumps its maps, and runs its programs with
// BPF_PROG_TEST_RUN, for the differential tests (test/oracle/oracle.ts drives it).
//
// Protocol: one request per line on stdin, one JSON object per line on stdout, in order.
// Tokens are separated by spaces; bytes are hex ("-" for none); numbers are decimal or
// 0x-hex. Every response has "ok"; failures are {"ok":false,"error":TEXT,"errno":N}.
//
//   hello                                   {"ok":true,"cpu":N,"ncpus":N,"bpf":"yes"|WHY NOT}
//   open PATH                               PATH is the rest of the line; nothing loaded yet
//   init SECTION HEX                        whole initial value of a data section (before load)
//   patch SECTION OFFSET HEX                bytes at an offset of a data section (before load)
//   load                                    {"ok":true,"programs":[...],"maps":[...]}
//   clear MAP                               hash-like: delete every key; arrays: zero non-zero slots
//   put MAP KEY VALUE                       per-CPU: VALUE on CPU 0, zero elsewhere
//   put-prog MAP KEY PROGRAM                PROG_ARRAY slot
//   put-inner MAP KEY TYPE KSIZE VSIZE MAX FLAGS [KEY VALUE]...
//                                           map-in-map: a new inner map with those entries
//   run PROGRAM DATA [noctx] [mark=N] [priority=N] [ingress_ifindex=N] [ifindex=N]
//       [cb=N,N,N,N,N] [tstamp=N] [wire_len=N] [gso_segs=N] [gso_size=N] [hwtstamp=N]
//                                           {"ok":true,"retval":N,"data":HEX,"ctx":{...},
//                                            "duration":N,"t0":"NS","t1":"NS"}
//   dump [MAP...]                           {"ok":true,"maps":{NAME:{"entries":[...]}}}
//   clock                                   {"ok":true,"now":"NS"}
//   close                                   unload the object
//   batch N                                 the next N lines (1..1e6) are requests, all read
//                                           before the first is run: N responses, none for
//                                           this line (a bad N gets one error response)
//   quit
//
// tc programs (SCHED_CLS/ACT) always get a `struct __sk_buff` ctx_in (zero but for the
// fields given) and report ctx_out, unless `noctx`; XDP programs get no ctx. t0/t1 are
// CLOCK_MONOTONIC (what bpf_ktime_get_ns reads) just before and after the run. The
// process pins itself to CPU 0, so per-CPU maps are seen through CPU 0, and dies with
// its parent (PR_SET_PDEATHSIG): nothing outlives the driver, and nothing is pinned.

#define _GNU_SOURCE
#include "oracle.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <libelf.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap);

// ---- tokens ----------------------------------------------------------------------------

struct tokens {
	char **v;
	size_t n, cap;
};

static int tokenize(char *line, struct tokens *t) {
	t->n = 0;
	for (char *p = line; *p;) {
		while (*p == ' ') *p++ = 0;
		if (!*p) break;
		if (t->n == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 64;
			char **q = realloc(t->v, nc * sizeof(*q));
			if (!q) return fail(ENOMEM, "out of memory");
			t->v = q;
			t->cap = nc;
		}
		t->v[t->n++] = p;
		while (*p && *p != ' ') p++;
	}
	return 0;
}

static int want_args(const struct tokens *t, size_t min, size_t max, const char *usage) {
	if (t->n < min || t->n > max) return fail(EINVAL, "usage: %s", usage);
	return 0;
}

static struct omap *need_map(const char *name) {
	if (!O.loaded) {
		fail(EINVAL, "no object loaded");
		return NULL;
	}
	struct omap *m = find_map(name);
	if (!m) fail(ENOENT, "no map %s", name);
	return m;
}

static struct oprog *need_prog(const char *name) {
	if (!O.loaded) {
		fail(EINVAL, "no object loaded");
		return NULL;
	}
	struct oprog *p = find_prog(name);
	if (!p) fail(ENOENT, "no program %s", name);
	return p;
}

static unsigned long long monotonic_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

// ---- commands --------------------------------------------------------------------------

static int cmd_load(void) {
	if (object_load()) return -1;
	out_raw("{\"ok\":true,\"legacy\":");
	out_raw(O.legacy ? "true" : "false");
	out_raw(",\"programs\":[");
	for (size_t i = 0; i < O.nprogs; i++) {
		struct oprog *p = &O.progs[i];
		out_raw(i ? ",{\"name\":" : "{\"name\":");
		out_json_str(p->name);
		out_raw(",\"section\":");
		out_json_str(p->section);
		out_fmt(",\"type\":%u,\"id\":%u}", p->type, p->id);
	}
	out_raw("],\"maps\":[");
	for (size_t i = 0; i < O.nmaps; i++) {
		struct omap *m = &O.maps[i];
		out_raw(i ? ",{\"name\":" : "{\"name\":");
		out_json_str(m->name);
		out_fmt(",\"type\":%u,\"keySize\":%u,\"valueSize\":%u,\"maxEntries\":%u,\"flags\":%u,\"id\":%u", m->type,
			m->key_size, m->value_size, m->max_entries, m->flags, m->id);
		out_fmt(",\"internal\":%s,\"frozen\":%s,\"dumpable\":%s}", m->internal ? "true" : "false",
			m->frozen ? "true" : "false", map_dumpable(m->type) ? "true" : "false");
	}
	out_raw("]}");
	return 0;
}

static int cmd_put(const struct tokens *t) {
	if (want_args(t, 4, 4, "put MAP KEY VALUE")) return -1;
	struct omap *m = need_map(t->v[1]);
	if (!m) return -1;
	unsigned char *k = NULL, *v = NULL;
	size_t kl, vl;
	int rc = hex_decode(t->v[2], &k, &kl);
	if (!rc) rc = hex_decode(t->v[3], &v, &vl);
	if (!rc) rc = map_put(m, k, kl, v, vl);
	free(k);
	free(v);
	return rc ? -1 : (out_raw("{\"ok\":true}"), 0);
}

static int cmd_put_prog(const struct tokens *t) {
	if (want_args(t, 4, 4, "put-prog MAP KEY PROGRAM")) return -1;
	struct omap *m = need_map(t->v[1]);
	struct oprog *p = m ? need_prog(t->v[3]) : NULL;
	if (!p) return -1;
	unsigned char *k = NULL;
	size_t kl;
	int rc = hex_decode(t->v[2], &k, &kl);
	if (!rc) rc = map_put_prog(m, k, kl, p);
	free(k);
	return rc ? -1 : (out_raw("{\"ok\":true}"), 0);
}

static int cmd_put_inner(const struct tokens *t) {
	if (t->n < 8) return fail(EINVAL, "usage: put-inner MAP KEY TYPE KSIZE VSIZE MAX FLAGS [KEY VALUE]...");
	struct omap *m = need_map(t->v[1]);
	if (!m) return -1;
	__u32 type, ks, vs, max, flags;
	if (parse_u32(t->v[3], &type) || parse_u32(t->v[4], &ks) || parse_u32(t->v[5], &vs) || parse_u32(t->v[6], &max) ||
	    parse_u32(t->v[7], &flags))
		return -1;
	unsigned char *k = NULL;
	size_t kl;
	int rc = hex_decode(t->v[2], &k, &kl);
	if (!rc) rc = map_put_inner(m, k, kl, type, ks, vs, max, flags, t->v + 8, t->n - 8);
	free(k);
	return rc ? -1 : (out_raw("{\"ok\":true}"), 0);
}

static int cmd_dump(const struct tokens *t) {
	if (!O.loaded) return fail(EINVAL, "no object loaded");
	out_raw("{\"ok\":true,\"maps\":{");
	bool first = true;
	if (t->n == 1) {
		for (size_t i = 0; i < O.nmaps; i++) {
			if (!map_dumpable(O.maps[i].type)) continue;
			if (!first) out_raw(",");
			first = false;
			out_json_str(O.maps[i].name);
			out_raw(":");
			if (map_dump(&O.maps[i])) return -1;
		}
	} else {
		for (size_t i = 1; i < t->n; i++) {
			struct omap *m = need_map(t->v[i]);
			if (!m) return -1;
			if (!first) out_raw(",");
			first = false;
			out_json_str(m->name);
			out_raw(":");
			if (map_dump(m)) return -1;
		}
	}
	out_raw("}}");
	return 0;
}

// ---- run -------------------------------------------------------------------------------

// Large enough for any packet a program can grow (skb and XDP stay far below it).
static unsigned char data_out[1 << 20];

static int parse_ctx_field(const char *tok, struct __sk_buff *c, bool *any, bool *noctx) {
	if (strcmp(tok, "noctx") == 0) {
		*noctx = true;
		return 0;
	}
	const char *eq = strchr(tok, '=');
	if (!eq) return fail(EINVAL, "expected FIELD=VALUE, got %.40s", tok);
	size_t kl = (size_t)(eq - tok);
	const char *v = eq + 1;
	*any = true;
#define IS(name) (kl == strlen(name) && strncmp(tok, name, kl) == 0)
	if (IS("mark")) return parse_u32(v, &c->mark);
	if (IS("priority")) return parse_u32(v, &c->priority);
	if (IS("ingress_ifindex")) return parse_u32(v, &c->ingress_ifindex);
	if (IS("ifindex")) return parse_u32(v, &c->ifindex);
	if (IS("wire_len")) return parse_u32(v, &c->wire_len);
	if (IS("gso_segs")) return parse_u32(v, &c->gso_segs);
	if (IS("gso_size")) return parse_u32(v, &c->gso_size);
	if (IS("tstamp")) {
		unsigned long long x;
		if (parse_u64(v, &x)) return -1;
		c->tstamp = x;
		return 0;
	}
	if (IS("hwtstamp")) {
		unsigned long long x;
		if (parse_u64(v, &x)) return -1;
		c->hwtstamp = x;
		return 0;
	}
	if (IS("cb")) {
		char copy[256];
		snprintf(copy, sizeof(copy), "%s", v);
		char *save = NULL, *p = strtok_r(copy, ",", &save);
		for (int i = 0; i < 5; i++, p = strtok_r(NULL, ",", &save))
			if (!p || parse_u32(p, &c->cb[i])) return fail(EINVAL, "cb needs five numbers: %.60s", v);
		if (p) return fail(EINVAL, "cb needs five numbers: %.60s", v);
		return 0;
	}
#undef IS
	return fail(EINVAL, "unknown ctx field %.*s", (int)kl, tok);
}

static void out_ctx(const struct __sk_buff *c) {
	out_fmt(",\"ctx\":{\"mark\":%u,\"priority\":%u,\"ingress_ifindex\":%u,\"ifindex\":%u", c->mark, c->priority,
		c->ingress_ifindex, c->ifindex);
	out_fmt(",\"cb\":[%u,%u,%u,%u,%u]", c->cb[0], c->cb[1], c->cb[2], c->cb[3], c->cb[4]);
	out_fmt(",\"tstamp\":\"%llu\",\"wire_len\":%u,\"gso_segs\":%u,\"gso_size\":%u,\"hwtstamp\":\"%llu\"}",
		(unsigned long long)c->tstamp, c->wire_len, c->gso_segs, c->gso_size, (unsigned long long)c->hwtstamp);
}

static int cmd_run(const struct tokens *t) {
	if (t->n < 3) return fail(EINVAL, "usage: run PROGRAM DATA [noctx] [FIELD=VALUE]...");
	struct oprog *p = need_prog(t->v[1]);
	if (!p) return -1;
	struct __sk_buff ctx, ctx_out;
	memset(&ctx, 0, sizeof(ctx));
	memset(&ctx_out, 0, sizeof(ctx_out));
	bool any = false, noctx = false;
	for (size_t i = 3; i < t->n; i++)
		if (parse_ctx_field(t->v[i], &ctx, &any, &noctx)) return -1;
	bool skb = p->type == BPF_PROG_TYPE_SCHED_CLS || p->type == BPF_PROG_TYPE_SCHED_ACT;
	if (any && (!skb || noctx)) return fail(EINVAL, "ctx fields are for tc programs only");
	bool use_ctx = skb && !noctx;
	unsigned char *data = NULL;
	size_t dl;
	if (hex_decode(t->v[2], &data, &dl)) return -1;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)dl, .data_out = data_out,
		    .data_size_out = sizeof(data_out), .repeat = 1);
	if (use_ctx) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
		opts.ctx_out = &ctx_out;
		opts.ctx_size_out = sizeof(ctx_out);
	}
	unsigned long long t0 = monotonic_ns();
	int err = bpf_prog_test_run_opts(p->fd, &opts);
	unsigned long long t1 = monotonic_ns();
	int e = err ? errno : 0;
	free(data);
	if (err) {
		// A refusal is an outcome too (e.g. EINVAL for a short IPv4 frame): keep the clock.
		out_raw("{\"ok\":false,\"error\":");
		char msg[128];
		snprintf(msg, sizeof(msg), "test_run: %s", strerror(e));
		out_json_str(msg);
		out_fmt(",\"errno\":%d,\"t0\":\"%llu\",\"t1\":\"%llu\"}", e, t0, t1);
		return 0;
	}
	out_fmt("{\"ok\":true,\"retval\":%u,\"data\":\"", opts.retval);
	out_hex(data_out, opts.data_size_out < sizeof(data_out) ? opts.data_size_out : sizeof(data_out));
	out_raw("\"");
	if (use_ctx) out_ctx(&ctx_out);
	out_fmt(",\"duration\":%u,\"t0\":\"%llu\",\"t1\":\"%llu\"}", opts.duration, t0, t1);
	return 0;
}

// ---- dispatch --------------------------------------------------------------------------

static struct tokens toks;

static int dispatch(char *line) {
	if (strncmp(line, "open ", 5) == 0) {
		const char *path = line + 5;
		if (!*path) return fail(EINVAL, "usage: open PATH");
		if (object_open(path)) return -1;
		out_raw("{\"ok\":true}");
		return 0;
	}
	if (tokenize(line, &toks)) return -1;
	if (toks.n == 0) return fail(EINVAL, "empty request");
	const char *c = toks.v[0];
	if (strcmp(c, "hello") == 0) {
		// Creating a one-slot array tells whether this process may use bpf() at all.
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);
		int e = fd < 0 ? errno : 0;
		if (fd >= 0) close(fd);
		out_fmt("{\"ok\":true,\"cpu\":%d,\"ncpus\":%d,\"bpf\":", sched_getcpu(), libbpf_num_possible_cpus());
		out_json_str(e ? strerror(e) : "yes");
		out_raw("}");
		return 0;
	}
	if (strcmp(c, "clock") == 0) {
		out_fmt("{\"ok\":true,\"now\":\"%llu\"}", monotonic_ns());
		return 0;
	}
	if (strcmp(c, "init") == 0 || strcmp(c, "patch") == 0) {
		bool whole = c[0] == 'i';
		if (want_args(&toks, whole ? 3 : 4, whole ? 3 : 4, whole ? "init SECTION HEX" : "patch SECTION OFFSET HEX"))
			return -1;
		unsigned long long off = 0;
		if (!whole && parse_u64(toks.v[2], &off)) return -1;
		unsigned char *b = NULL;
		size_t bl;
		if (hex_decode(toks.v[whole ? 2 : 3], &b, &bl)) return -1;
		int rc = object_add_override(toks.v[1], (size_t)off, b, bl, whole);
		free(b);
		return rc ? -1 : (out_raw("{\"ok\":true}"), 0);
	}
	if (strcmp(c, "load") == 0) return cmd_load();
	if (strcmp(c, "clear") == 0) {
		if (want_args(&toks, 2, 2, "clear MAP")) return -1;
		struct omap *m = need_map(toks.v[1]);
		if (!m || map_clear(m)) return -1;
		out_raw("{\"ok\":true}");
		return 0;
	}
	if (strcmp(c, "put") == 0) return cmd_put(&toks);
	if (strcmp(c, "put-prog") == 0) return cmd_put_prog(&toks);
	if (strcmp(c, "put-inner") == 0) return cmd_put_inner(&toks);
	if (strcmp(c, "run") == 0) return cmd_run(&toks);
	if (strcmp(c, "dump") == 0) return cmd_dump(&toks);
	if (strcmp(c, "close") == 0) {
		object_close();
		out_raw("{\"ok\":true}");
		return 0;
	}
	if (strcmp(c, "quit") == 0) {
		object_close();
		exit(0);
	}
	return fail(EINVAL, "unknown request %.40s", c);
}

static void answer(char *line) {
	out_reset();
	if (dispatch(line)) {
		int e;
		const char *msg = last_error(&e);
		out_reset();
		out_raw("{\"ok\":false,\"error\":");
		out_json_str(msg);
		out_fmt(",\"errno\":%d}", e);
	}
	out_flush_line();
}

// A batch line outside 1..MAX_BATCH is answered as an unknown request (one error line).
#define MAX_BATCH 1000000ULL

static ssize_t read_line(char **line, size_t *cap) {
	ssize_t n = getline(line, cap, stdin);
	if (n > 0 && (*line)[n - 1] == '\n') (*line)[--n] = 0;
	if (n > 0 && (*line)[n - 1] == '\r') (*line)[--n] = 0;
	return n;
}

int main(void) {
	// Die with the driver, so a crashed test leaves nothing loaded behind.
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1) return 0;
	signal(SIGPIPE, SIG_IGN);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	elf_version(EV_CURRENT);
	libbpf_set_print(libbpf_capture);

	char *line = NULL;
	size_t cap = 0;
	while (read_line(&line, &cap) >= 0) {
		unsigned long long n;
		if (strncmp(line, "batch ", 6) == 0 && parse_u64(line + 6, &n) == 0 && n >= 1 && n <= MAX_BATCH) {
			// Read the whole batch first: the driver writes it all before reading any
			// answer, so answering early could fill the pipe and stall both sides.
			char **lines = calloc(n ? n : 1, sizeof(char *));
			size_t got = 0;
			for (; lines && got < n; got++) {
				char *l = NULL;
				size_t lc = 0;
				if (read_line(&l, &lc) < 0) {
					free(l);
					break;
				}
				lines[got] = l;
			}
			for (size_t i = 0; i < got; i++) {
				if (strncmp(lines[i], "batch ", 6) == 0) {
					out_reset();
					out_raw("{\"ok\":false,\"error\":\"batches do not nest\",\"errno\":22}");
					out_flush_line();
				} else {
					answer(lines[i]);
				}
				free(lines[i]);
			}
			free(lines);
			if (got < n) break; // the driver went away mid-batch
			continue;
		}
		answer(line);
	}
	object_close();
	return 0;
}
