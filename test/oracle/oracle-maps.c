// Setting and dumping map contents in the canonical form of src/state/map-state.ts:
// keys and values as hex, entries sorted by key bytes, arrays only non-zero slots,
// per-CPU maps CPU 0's value (the process runs on CPU 0), map-in-map entries the inner
// map's contents, PROG_ARRAY entries the program's name.

#define _GNU_SOURCE
#include "oracle.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// How the kernel lets user space see a map's entries.
enum kind {
	K_ARRAY,      // every index exists; zero means "not listed"
	K_SLOTS,      // indexed, a slot may be empty (ENOENT): DEVMAP, CPUMAP
	K_PROGS,      // PROG_ARRAY: lookup gives a program id
	K_MAPS_ARRAY, // ARRAY_OF_MAPS: lookup gives a map id
	K_HASH,       // keys come from get_next_key
	K_MAPS_HASH,  // HASH_OF_MAPS
	K_OTHER,      // no keyed access from user space (ring buffers, queues, storages...)
};

static enum kind kind_of(__u32 type) {
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return K_ARRAY;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_CPUMAP:
		return K_SLOTS;
	case BPF_MAP_TYPE_PROG_ARRAY:
		return K_PROGS;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return K_MAPS_ARRAY;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return K_HASH;
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return K_MAPS_HASH;
	default:
		return K_OTHER;
	}
}

bool map_dumpable(__u32 type) { return kind_of(type) != K_OTHER; }

static bool is_percpu(__u32 type) {
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static size_t ncpus(void) {
	static int n;
	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n < 1) n = 1;
	}
	return (size_t)n;
}

// What a lookup or update moves: one value, or one per possible CPU, each 8-aligned.
static size_t value_buf_size(const struct omap *m) {
	if (is_percpu(m->type)) return ((m->value_size + 7) & ~7u) * ncpus();
	if (kind_of(m->type) == K_PROGS || kind_of(m->type) == K_MAPS_ARRAY || kind_of(m->type) == K_MAPS_HASH)
		return 4;
	return m->value_size;
}

static bool all_zero(const unsigned char *b, size_t n) {
	for (size_t i = 0; i < n; i++)
		if (b[i]) return false;
	return true;
}

static int check_key(const struct omap *m, size_t klen) {
	if (klen != m->key_size) return fail(EINVAL, "map %s: key of %zu bytes, the map's are %u", m->name, klen, m->key_size);
	return 0;
}

// ---- reading ---------------------------------------------------------------------------

// Reads every slot of an array map into `vals` (max_entries * value_buf_size), in few
// system calls: a batch lookup where the kernel has one, else one lookup per index.
static int read_array(const struct omap *m, unsigned char *vals) {
	size_t vb = value_buf_size(m);
	const __u32 chunk = 4096;
	__u32 *keys = calloc(chunk, sizeof(__u32));
	unsigned char *tmp = calloc(chunk, vb);
	if (!keys || !tmp) {
		free(keys);
		free(tmp);
		return fail(ENOMEM, "out of memory");
	}
	__u32 in = 0, out = 0;
	bool first = true, batched = true;
	for (;;) {
		__u32 count = chunk;
		int err = bpf_map_lookup_batch(m->fd, first ? NULL : &in, &out, keys, tmp, &count, NULL);
		int e = err ? errno : 0;
		if (err && e != ENOENT) {
			if (first) batched = false; // no batch ops for this map: fall back
			else {
				free(keys);
				free(tmp);
				return fail(e, "map %s: batch lookup: %s", m->name, strerror(e));
			}
			break;
		}
		for (__u32 i = 0; i < count; i++)
			if (keys[i] < m->max_entries) memcpy(vals + (size_t)keys[i] * vb, tmp + (size_t)i * vb, vb);
		if (e == ENOENT) break;
		in = out;
		first = false;
	}
	free(keys);
	free(tmp);
	if (batched) return 0;
	for (__u32 i = 0; i < m->max_entries; i++)
		if (bpf_map_lookup_elem(m->fd, &i, vals + (size_t)i * vb))
			return fail(errno, "map %s: lookup of index %u: %s", m->name, i, strerror(errno));
	return 0;
}

struct entry {
	unsigned char *key;
	unsigned char *val; // value bytes (value_buf_size), or a u32 id for fd maps
};

struct entries {
	struct entry *v;
	size_t n, cap;
	size_t klen;
};

static int entries_add(struct entries *es, const void *key, const void *val, size_t vlen) {
	if (es->n == es->cap) {
		size_t nc = es->cap ? es->cap * 2 : 64;
		struct entry *p = realloc(es->v, nc * sizeof(*p));
		if (!p) return fail(ENOMEM, "out of memory");
		es->v = p;
		es->cap = nc;
	}
	unsigned char *k = malloc(es->klen ? es->klen : 1), *v = malloc(vlen ? vlen : 1);
	if (!k || !v) {
		free(k);
		free(v);
		return fail(ENOMEM, "out of memory");
	}
	memcpy(k, key, es->klen);
	memcpy(v, val, vlen);
	es->v[es->n].key = k;
	es->v[es->n].val = v;
	es->n++;
	return 0;
}

static void entries_free(struct entries *es) {
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].key);
		free(es->v[i].val);
	}
	free(es->v);
	memset(es, 0, sizeof(*es));
}

static size_t sort_klen;
static int cmp_entry(const void *a, const void *b) {
	return memcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key, sort_klen);
}

// Collects the map's entries (unsorted). Values are what lookup returns.
static int collect(const struct omap *m, struct entries *es) {
	size_t vb = value_buf_size(m);
	es->klen = m->key_size;
	enum kind k = kind_of(m->type);
	if (k == K_OTHER) return fail(EOPNOTSUPP, "map %s: type %u has no keyed access from user space", m->name, m->type);
	if (k == K_ARRAY) {
		unsigned char *vals = calloc(m->max_entries ? m->max_entries : 1, vb);
		if (!vals) return fail(ENOMEM, "out of memory");
		if (read_array(m, vals)) {
			free(vals);
			return -1;
		}
		for (__u32 i = 0; i < m->max_entries; i++) {
			// Per-CPU arrays: listed when CPU 0's value is non-zero (the state holds CPU 0 only).
			size_t shown = is_percpu(m->type) ? m->value_size : vb;
			if (all_zero(vals + (size_t)i * vb, shown)) continue;
			if (entries_add(es, &i, vals + (size_t)i * vb, vb)) {
				free(vals);
				return -1;
			}
		}
		free(vals);
		return 0;
	}
	unsigned char *val = calloc(1, vb ? vb : 1);
	unsigned char *key = calloc(1, m->key_size + 1), *next = calloc(1, m->key_size + 1);
	int rc = 0;
	if (!val || !key || !next) {
		rc = fail(ENOMEM, "out of memory");
		goto out;
	}
	if (k == K_SLOTS || k == K_PROGS || k == K_MAPS_ARRAY) {
		for (__u32 i = 0; i < m->max_entries; i++) {
			if (bpf_map_lookup_elem(m->fd, &i, val)) {
				if (errno == ENOENT) continue;
				rc = fail(errno, "map %s: lookup of index %u: %s", m->name, i, strerror(errno));
				goto out;
			}
			if ((rc = entries_add(es, &i, val, vb))) goto out;
		}
		goto out;
	}
	// Keyed maps: walk get_next_key. An entry deleted between the two calls is skipped.
	void *prev = NULL;
	for (size_t guard = 0; guard <= (size_t)m->max_entries + 1; guard++) {
		if (bpf_map_get_next_key(m->fd, prev, next)) {
			if (errno != ENOENT) rc = fail(errno, "map %s: get_next_key: %s", m->name, strerror(errno));
			goto out;
		}
		memcpy(key, next, m->key_size);
		prev = key;
		if (bpf_map_lookup_elem(m->fd, key, val)) {
			if (errno == ENOENT) continue;
			rc = fail(errno, "map %s: lookup: %s", m->name, strerror(errno));
			goto out;
		}
		if ((rc = entries_add(es, key, val, vb))) goto out;
	}
	rc = fail(EOVERFLOW, "map %s: more keys than max_entries", m->name);
out:
	free(val);
	free(key);
	free(next);
	return rc;
}

static int dump_depth(const struct omap *m, int depth);

// Writes the inner map with this id as `{"entries":[...]}`.
static int dump_inner(const struct omap *outer, __u32 id, int depth) {
	if (depth > 2) return fail(ELOOP, "map %s: maps nested too deep", outer->name);
	struct omap in;
	memset(&in, 0, sizeof(in));
	snprintf(in.name, sizeof(in.name), "%.100s[inner id %u]", outer->name, id);
	in.fd = bpf_map_get_fd_by_id(id);
	if (in.fd < 0) return fail(errno, "map %s: inner map %u: %s", outer->name, id, strerror(errno));
	struct bpf_map_info info;
	__u32 n = sizeof(info);
	memset(&info, 0, sizeof(info));
	int rc = bpf_obj_get_info_by_fd(in.fd, &info, &n);
	if (rc) rc = fail(errno, "map %s: inner map info: %s", outer->name, strerror(errno));
	else {
		in.type = info.type;
		in.key_size = info.key_size;
		in.value_size = info.value_size;
		in.max_entries = info.max_entries;
		in.flags = info.map_flags;
		rc = dump_depth(&in, depth + 1);
	}
	close(in.fd);
	return rc;
}

static int dump_depth(const struct omap *m, int depth) {
	struct entries es;
	memset(&es, 0, sizeof(es));
	if (collect(m, &es)) {
		entries_free(&es);
		return -1;
	}
	sort_klen = es.klen;
	qsort(es.v, es.n, sizeof(*es.v), cmp_entry);
	enum kind k = kind_of(m->type);
	out_raw("{\"entries\":[");
	for (size_t i = 0; i < es.n; i++) {
		if (i) out_raw(",");
		out_raw("{\"key\":\"");
		out_hex(es.v[i].key, es.klen);
		out_raw("\",");
		__u32 id;
		memcpy(&id, es.v[i].val, sizeof(id));
		if (k == K_PROGS) {
			const char *pn = prog_name_by_id(id);
			char unknown[32];
			snprintf(unknown, sizeof(unknown), "?id=%u", id);
			out_raw("\"program\":");
			out_json_str(pn ? pn : unknown);
		} else if (k == K_MAPS_ARRAY || k == K_MAPS_HASH) {
			out_raw("\"inner\":");
			if (dump_inner(m, id, depth)) {
				entries_free(&es);
				return -1;
			}
		} else {
			out_raw("\"value\":\"");
			out_hex(es.v[i].val, m->value_size); // per-CPU: CPU 0's part
			out_raw("\"");
		}
		out_raw("}");
	}
	out_raw("]}");
	entries_free(&es);
	return 0;
}

int map_dump(struct omap *m) { return dump_depth(m, 0); }

// ---- writing ---------------------------------------------------------------------------

int map_clear(struct omap *m) {
	if (m->frozen) return fail(EPERM, "map %s is frozen: set it before load (init/patch)", m->name);
	enum kind k = kind_of(m->type);
	size_t vb = value_buf_size(m);
	switch (k) {
	case K_ARRAY: {
		unsigned char *vals = calloc(m->max_entries ? m->max_entries : 1, vb);
		unsigned char *zero = calloc(1, vb);
		int rc = (!vals || !zero) ? fail(ENOMEM, "out of memory") : read_array(m, vals);
		for (__u32 i = 0; !rc && i < m->max_entries; i++) {
			if (all_zero(vals + (size_t)i * vb, vb)) continue;
			if (bpf_map_update_elem(m->fd, &i, zero, BPF_ANY))
				rc = fail(errno, "map %s: zeroing index %u: %s", m->name, i, strerror(errno));
		}
		free(vals);
		free(zero);
		return rc;
	}
	case K_SLOTS:
	case K_PROGS:
	case K_MAPS_ARRAY:
		for (__u32 i = 0; i < m->max_entries; i++)
			if (bpf_map_delete_elem(m->fd, &i) && errno != ENOENT)
				return fail(errno, "map %s: delete of index %u: %s", m->name, i, strerror(errno));
		return 0;
	case K_HASH:
	case K_MAPS_HASH: {
		unsigned char *key = calloc(1, m->key_size + 1);
		if (!key) return fail(ENOMEM, "out of memory");
		int rc = 0;
		for (size_t guard = 0; guard <= (size_t)m->max_entries + 1; guard++) {
			if (bpf_map_get_next_key(m->fd, NULL, key)) {
				if (errno != ENOENT) rc = fail(errno, "map %s: get_next_key: %s", m->name, strerror(errno));
				free(key);
				return rc;
			}
			if (bpf_map_delete_elem(m->fd, key) && errno != ENOENT) {
				rc = fail(errno, "map %s: delete: %s", m->name, strerror(errno));
				free(key);
				return rc;
			}
		}
		free(key);
		return fail(EOVERFLOW, "map %s: keys keep coming back after delete", m->name);
	}
	default:
		return fail(EOPNOTSUPP, "map %s: type %u cannot be cleared from user space", m->name, m->type);
	}
}

int map_put(struct omap *m, const unsigned char *key, size_t klen, const unsigned char *val, size_t vlen) {
	if (m->frozen) return fail(EPERM, "map %s is frozen: set it before load (init/patch)", m->name);
	enum kind k = kind_of(m->type);
	if (k != K_ARRAY && k != K_SLOTS && k != K_HASH)
		return fail(EINVAL, "map %s (type %u) takes programs or inner maps, not values", m->name, m->type);
	if (check_key(m, klen)) return -1;
	if (vlen != m->value_size)
		return fail(EINVAL, "map %s: value of %zu bytes, the map's are %u", m->name, vlen, m->value_size);
	// Per-CPU maps: the given value for CPU 0, zero for the others.
	size_t vb = value_buf_size(m);
	unsigned char *buf = calloc(1, vb ? vb : 1);
	if (!buf) return fail(ENOMEM, "out of memory");
	memcpy(buf, val, vlen);
	int rc = 0;
	if (bpf_map_update_elem(m->fd, key, buf, BPF_ANY)) rc = fail(errno, "map %s: update: %s", m->name, strerror(errno));
	free(buf);
	return rc;
}

int map_put_prog(struct omap *m, const unsigned char *key, size_t klen, struct oprog *p) {
	if (kind_of(m->type) != K_PROGS) return fail(EINVAL, "map %s is not a PROG_ARRAY", m->name);
	if (check_key(m, klen)) return -1;
	__u32 fd = (__u32)p->fd;
	if (bpf_map_update_elem(m->fd, key, &fd, BPF_ANY))
		return fail(errno, "map %s: program %s: %s", m->name, p->name, strerror(errno));
	return 0;
}

int map_put_inner(struct omap *m, const unsigned char *key, size_t klen, __u32 type, __u32 key_size,
		  __u32 value_size, __u32 max_entries, __u32 flags, char **entries, size_t nentries) {
	enum kind k = kind_of(m->type);
	if (k != K_MAPS_ARRAY && k != K_MAPS_HASH) return fail(EINVAL, "map %s is not a map-in-map", m->name);
	if (check_key(m, klen)) return -1;
	if (nentries % 2) return fail(EINVAL, "inner entries come in key/value pairs");
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = flags);
	struct omap in;
	memset(&in, 0, sizeof(in));
	snprintf(in.name, sizeof(in.name), "%.100s[inner]", m->name);
	in.fd = bpf_map_create((enum bpf_map_type)type, "inner", key_size, value_size, max_entries, &mo);
	if (in.fd < 0) return fail(errno, "map %s: creating an inner map: %s", m->name, strerror(errno));
	in.type = type;
	in.key_size = key_size;
	in.value_size = value_size;
	in.max_entries = max_entries;
	in.flags = flags;
	int rc = 0;
	for (size_t i = 0; !rc && i < nentries; i += 2) {
		unsigned char *ik = NULL, *iv = NULL;
		size_t ikl, ivl;
		rc = hex_decode(entries[i], &ik, &ikl);
		if (!rc) rc = hex_decode(entries[i + 1], &iv, &ivl);
		if (!rc) rc = map_put(&in, ik, ikl, iv, ivl);
		free(ik);
		free(iv);
	}
	__u32 fd = (__u32)in.fd;
	// The outer map keeps its own reference; ours is closed either way.
	if (!rc && bpf_map_update_elem(m->fd, key, &fd, BPF_ANY))
		rc = fail(errno, "map %s: inserting the inner map: %s", m->name, strerror(errno));
	close(in.fd);
	return rc;
}
