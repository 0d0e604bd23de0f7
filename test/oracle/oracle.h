// Shared declarations of the kernel oracle (oracle.c is the entry point and documents
// the protocol). One object at a time is held loaded; after load, everything works from
// the plain tables below, whichever loader (libbpf or our legacy one) filled them.

#ifndef BPF2PF_ORACLE_H
#define BPF2PF_ORACLE_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#define NAME_MAX_LEN 128

struct omap {
	// The object's name for the map; for internal maps the section name ('.rodata'),
	// not libbpf's truncated 'objname.rodata'.
	char name[NAME_MAX_LEN];
	int fd;
	__u32 id, type, key_size, value_size, max_entries, flags;
	bool internal;
	// Loader-frozen (.rodata*): user space cannot write it after load.
	bool frozen;
	// Whether the fd belongs to us (legacy loader) or to libbpf's object.
	bool owned;
};

struct oprog {
	char name[NAME_MAX_LEN];
	char section[NAME_MAX_LEN];
	int fd;
	__u32 id, type;
	bool owned;
};

// A change to a data section's initial bytes, applied at load.
struct override {
	char section[NAME_MAX_LEN];
	size_t offset;
	unsigned char *bytes;
	size_t len;
	bool whole; // the whole section (length must match), else a patch at `offset`
};

struct oracle {
	char *path;
	bool loaded;
	bool legacy;
	struct bpf_object *obj; // libbpf path only
	struct omap *maps;
	size_t nmaps;
	struct oprog *progs;
	size_t nprogs;
	struct override *overrides;
	size_t noverrides;
};

extern struct oracle O;

// ---- response buffer (oracle-out.c) ----------------------------------------------------

void out_reset(void);
void out_raw(const char *s);
void out_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_hex(const unsigned char *b, size_t n);
void out_json_str(const char *s);
void out_flush_line(void);
const char *out_data(size_t *len);

// The error of the command being run: every failure path sets it and returns -1.
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *last_error(int *err);

// Text captured from libbpf's log since the last reset.
void libbpf_log_reset(void);
const char *libbpf_log_tail(size_t keep);

// "-" or hex digits; fails on anything else.
int hex_decode(const char *s, unsigned char **out, size_t *len);
int parse_u64(const char *s, unsigned long long *v);
int parse_u32(const char *s, __u32 *v);

// ---- objects (oracle-object.c) ---------------------------------------------------------

int object_open(const char *path);
int object_add_override(const char *section, size_t offset, const unsigned char *bytes, size_t len, bool whole);
int object_load(void);
void object_close(void);
struct omap *find_map(const char *name);
struct oprog *find_prog(const char *name);
const char *prog_name_by_id(__u32 id);

// ---- maps (oracle-maps.c) --------------------------------------------------------------

int map_clear(struct omap *m);
int map_put(struct omap *m, const unsigned char *key, size_t klen, const unsigned char *val, size_t vlen);
int map_put_prog(struct omap *m, const unsigned char *key, size_t klen, struct oprog *p);
// `entries` alternates key and value hex tokens.
int map_put_inner(struct omap *m, const unsigned char *key, size_t klen, __u32 type, __u32 key_size,
		  __u32 value_size, __u32 max_entries, __u32 flags, char **entries, size_t nentries);
bool map_dumpable(__u32 type);
// Writes `{"entries":[...]}` for the map; -1 on failure (nothing usable written).
int map_dump(struct omap *m);

#endif
