// Opening and loading one object, by libbpf or, for objects with a legacy `maps`
// section (which libbpf 1.x refuses), by a small loader of our own on libbpf's
// low-level calls. Either way nothing is pinned: every map's pin path is cleared before
// load and the legacy loader never pins, so /sys/fs/bpf is not touched and everything
// disappears when the process exits.

#define _GNU_SOURCE
#include "oracle.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct oracle O;

static void copy_name(char *dst, const char *src) { snprintf(dst, NAME_MAX_LEN, "%s", src ? src : ""); }

static bool is_data_section(const char *n) {
	return n && (strncmp(n, ".rodata", 7) == 0 || strncmp(n, ".data", 5) == 0 || strncmp(n, ".bss", 4) == 0);
}

static struct omap *add_map(void) {
	struct omap *p = realloc(O.maps, (O.nmaps + 1) * sizeof(*p));
	if (!p) return NULL;
	O.maps = p;
	memset(&p[O.nmaps], 0, sizeof(*p));
	p[O.nmaps].fd = -1;
	return &p[O.nmaps++];
}

static struct oprog *add_prog(void) {
	struct oprog *p = realloc(O.progs, (O.nprogs + 1) * sizeof(*p));
	if (!p) return NULL;
	O.progs = p;
	memset(&p[O.nprogs], 0, sizeof(*p));
	p[O.nprogs].fd = -1;
	return &p[O.nprogs++];
}

static void fill_map_info(struct omap *m) {
	struct bpf_map_info info;
	__u32 n = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(m->fd, &info, &n)) return;
	m->id = info.id;
	m->type = info.type;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	m->max_entries = info.max_entries;
	m->flags = info.map_flags;
}

static void fill_prog_info(struct oprog *p) {
	struct bpf_prog_info info;
	__u32 n = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(p->fd, &info, &n)) return;
	p->id = info.id;
	p->type = info.type;
}

struct omap *find_map(const char *name) {
	for (size_t i = 0; i < O.nmaps; i++)
		if (strcmp(O.maps[i].name, name) == 0) return &O.maps[i];
	return NULL;
}

struct oprog *find_prog(const char *name) {
	for (size_t i = 0; i < O.nprogs; i++)
		if (strcmp(O.progs[i].name, name) == 0) return &O.progs[i];
	return NULL;
}

const char *prog_name_by_id(__u32 id) {
	for (size_t i = 0; i < O.nprogs; i++)
		if (O.progs[i].id == id) return O.progs[i].name;
	return NULL;
}

// ---- ELF reading shared by both paths ----------------------------------------------------

struct lsec {
	const char *name;
	GElf_Shdr sh;
	Elf_Data *data;
	int map_fd; // data sections: their internal map (legacy path)
};

struct elf_file {
	int fd;
	Elf *elf;
	size_t nsec;
	struct lsec *secs;
	Elf_Data *symtab;
	size_t nsym;
	size_t strtab;
	int maps_sec, text_sec;
	char license[128];
};

static void elf_file_close(struct elf_file *f) {
	if (f->elf) elf_end(f->elf);
	if (f->fd >= 0) close(f->fd);
	free(f->secs);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

static int elf_file_open(const char *path, struct elf_file *f) {
	memset(f, 0, sizeof(*f));
	f->maps_sec = f->text_sec = -1;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) return fail(errno, "cannot open %s: %s", path, strerror(errno));
	size_t shstrndx;
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || elf_getshdrnum(f->elf, &f->nsec) ||
	    elf_getshdrstrndx(f->elf, &shstrndx)) {
		elf_file_close(f);
		return fail(EINVAL, "%s: not an ELF file", path);
	}
	f->secs = calloc(f->nsec ? f->nsec : 1, sizeof(*f->secs));
	if (!f->secs) {
		elf_file_close(f);
		return fail(ENOMEM, "out of memory");
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(f->elf, scn))) {
		size_t i = elf_ndxscn(scn);
		if (i >= f->nsec || !gelf_getshdr(scn, &f->secs[i].sh)) continue;
		struct lsec *s = &f->secs[i];
		s->name = elf_strptr(f->elf, shstrndx, s->sh.sh_name);
		s->data = elf_getdata(scn, NULL);
		s->map_fd = -1;
		if (!s->name) continue;
		if (s->sh.sh_type == SHT_SYMTAB && s->data && s->sh.sh_entsize) {
			f->symtab = s->data;
			f->nsym = s->data->d_size / s->sh.sh_entsize;
			f->strtab = s->sh.sh_link;
		} else if (strcmp(s->name, "maps") == 0) {
			f->maps_sec = (int)i;
		} else if (strcmp(s->name, ".text") == 0) {
			f->text_sec = (int)i;
		} else if (strcmp(s->name, "license") == 0 && s->data && s->data->d_buf) {
			snprintf(f->license, sizeof(f->license), "%.*s", (int)s->data->d_size, (char *)s->data->d_buf);
		}
	}
	return 0;
}

// ---- overrides of data sections --------------------------------------------------------

int object_add_override(const char *section, size_t offset, const unsigned char *bytes, size_t len, bool whole) {
	if (!O.path) return fail(EINVAL, "no object open");
	if (O.loaded) return fail(EINVAL, "the object is already loaded: initial values are set before load");
	if (!is_data_section(section)) return fail(EINVAL, "%s is not a data section", section);
	struct override *p = realloc(O.overrides, (O.noverrides + 1) * sizeof(*p));
	if (!p) return fail(ENOMEM, "out of memory");
	O.overrides = p;
	struct override *o = &p[O.noverrides];
	memset(o, 0, sizeof(*o));
	copy_name(o->section, section);
	o->offset = offset;
	o->len = len;
	o->whole = whole;
	o->bytes = malloc(len ? len : 1);
	if (!o->bytes) return fail(ENOMEM, "out of memory");
	memcpy(o->bytes, bytes, len);
	O.noverrides++;
	return 0;
}

// Applies every override for `section` to its initial bytes `buf` (size `size`).
static int apply_overrides(const char *section, unsigned char *buf, size_t size) {
	for (size_t i = 0; i < O.noverrides; i++) {
		struct override *o = &O.overrides[i];
		if (strcmp(o->section, section) != 0) continue;
		if (o->whole) {
			if (o->len != size)
				return fail(EINVAL, "%s is %zu bytes, the new initial value %zu", section, size, o->len);
			memcpy(buf, o->bytes, size);
		} else {
			if (o->offset > size || o->len > size - o->offset)
				return fail(EINVAL, "patch of %zu bytes at %zu is outside %s (%zu bytes)", o->len, o->offset,
					    section, size);
			memcpy(buf + o->offset, o->bytes, o->len);
		}
	}
	return 0;
}

// Every override must name a section the object has: a typo would silently test defaults.
static int check_overrides_used(struct elf_file *f) {
	for (size_t i = 0; i < O.noverrides; i++) {
		bool found = false;
		for (size_t k = 1; k < f->nsec; k++)
			if (f->secs[k].name && strcmp(f->secs[k].name, O.overrides[i].section) == 0) found = true;
		if (!found) return fail(ENOENT, "the object has no section %s", O.overrides[i].section);
	}
	return 0;
}

// ---- libbpf path -----------------------------------------------------------------------

static int libbpf_open(void) {
	libbpf_log_reset();
	struct bpf_object *obj = bpf_object__open_file(O.path, NULL);
	if (!obj) return fail(errno, "libbpf cannot open %s: %s", O.path, libbpf_log_tail(4000));
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL);
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		// iproute2 loads sections libbpf does not know as classifiers; so do we.
		if (bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC) bpf_program__set_type(p, BPF_PROG_TYPE_SCHED_CLS);
	}
	O.obj = obj;
	return 0;
}

static int libbpf_apply_overrides(struct elf_file *f) {
	for (size_t k = 1; k < f->nsec; k++) {
		const char *sec = f->secs[k].name;
		if (!is_data_section(sec)) continue;
		bool wanted = false;
		for (size_t i = 0; i < O.noverrides; i++)
			if (strcmp(O.overrides[i].section, sec) == 0) wanted = true;
		if (!wanted) continue;
		// A data-section name starting with a dot finds the internal map by its section.
		struct bpf_map *m = bpf_object__find_map_by_name(O.obj, sec);
		if (!m || !bpf_map__is_internal(m)) return fail(ENOENT, "libbpf made no map of section %s", sec);
		size_t size = 0;
		const void *cur = bpf_map__initial_value(m, &size);
		if (!cur) return fail(EINVAL, "%s has no initial value in libbpf", sec);
		unsigned char *buf = malloc(size ? size : 1);
		if (!buf) return fail(ENOMEM, "out of memory");
		memcpy(buf, cur, size);
		int err = apply_overrides(sec, buf, size);
		if (!err && bpf_map__set_initial_value(m, buf, size))
			err = fail(EINVAL, "libbpf refused the initial value of %s", sec);
		free(buf);
		if (err) return -1;
	}
	return 0;
}

static int libbpf_load(struct elf_file *f) {
	if (libbpf_apply_overrides(f)) return -1;
	libbpf_log_reset();
	int err = bpf_object__load(O.obj);
	if (err) return fail(-err, "load failed: %s\n%s", strerror(-err), libbpf_log_tail(6000));
	struct bpf_map *m;
	bpf_object__for_each_map(m, O.obj) {
		struct omap *om = add_map();
		if (!om) return fail(ENOMEM, "out of memory");
		om->fd = bpf_map__fd(m);
		om->internal = bpf_map__is_internal(m);
		copy_name(om->name, bpf_map__name(m));
		if (om->internal) {
			// libbpf names it "objname.rodata"; the state file uses the section name.
			for (size_t k = 1; k < f->nsec; k++)
				if (is_data_section(f->secs[k].name) && bpf_object__find_map_by_name(O.obj, f->secs[k].name) == m)
					copy_name(om->name, f->secs[k].name);
		}
		fill_map_info(om);
		om->frozen = om->internal && (om->flags & BPF_F_RDONLY_PROG);
	}
	struct bpf_program *p;
	bpf_object__for_each_program(p, O.obj) {
		if (bpf_program__fd(p) < 0) continue; // not autoloaded
		struct oprog *op = add_prog();
		if (!op) return fail(ENOMEM, "out of memory");
		op->fd = bpf_program__fd(p);
		copy_name(op->name, bpf_program__name(p));
		copy_name(op->section, bpf_program__section_name(p));
		fill_prog_info(op);
	}
	return 0;
}

// ---- legacy `maps` path ----------------------------------------------------------------

// The kernel accepts [A-Za-z0-9_.] in object names, at most 15 characters.
static void kernel_name(char out[16], const char *name) {
	size_t i = 0;
	for (; name && name[i] && i < 15; i++) {
		char c = name[i];
		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.') ? c : '_';
	}
	out[i] = 0;
}

static int legacy_create_maps(struct elf_file *f) {
	if (!f->symtab) return fail(EINVAL, "no symbol table");
	struct lsec *ms = &f->secs[f->maps_sec];
	for (size_t i = 0; i < f->nsym; i++) {
		GElf_Sym s;
		if (!gelf_getsym(f->symtab, (int)i, &s)) continue;
		if ((int)s.st_shndx != f->maps_sec || GELF_ST_TYPE(s.st_info) != STT_OBJECT) continue;
		const char *name = elf_strptr(f->elf, f->strtab, s.st_name);
		if (!ms->data || !ms->data->d_buf || s.st_size < 20 || s.st_value + 20 > ms->data->d_size)
			return fail(EINVAL, "malformed legacy map definition %s", name ? name : "?");
		__u32 def[5];
		memcpy(def, (char *)ms->data->d_buf + s.st_value, sizeof(def));
		if (def[0] == BPF_MAP_TYPE_ARRAY_OF_MAPS || def[0] == BPF_MAP_TYPE_HASH_OF_MAPS)
			return fail(EOPNOTSUPP, "legacy map-in-map %s is not supported", name ? name : "?");
		char kname[16];
		kernel_name(kname, name);
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = def[4]);
		int fd = bpf_map_create((enum bpf_map_type)def[0], kname, def[1], def[2], def[3], &mo);
		if (fd < 0) return fail(errno, "cannot create map %s: %s", name ? name : "?", strerror(errno));
		struct omap *om = add_map();
		if (!om) {
			close(fd);
			return fail(ENOMEM, "out of memory");
		}
		om->fd = fd;
		om->owned = true;
		copy_name(om->name, name);
		fill_map_info(om);
	}
	return 0;
}

// The map a relocation against the `maps` section at `off` refers to, by symbol name.
static int legacy_map_fd(struct elf_file *f, GElf_Addr off) {
	for (size_t i = 0; i < f->nsym; i++) {
		GElf_Sym s;
		if (!gelf_getsym(f->symtab, (int)i, &s)) continue;
		if ((int)s.st_shndx != f->maps_sec || GELF_ST_TYPE(s.st_info) != STT_OBJECT || s.st_value != off) continue;
		struct omap *m = find_map(elf_strptr(f->elf, f->strtab, s.st_name));
		return m ? m->fd : -1;
	}
	return -1;
}

static int legacy_create_data_maps(struct elf_file *f) {
	for (size_t i = 1; i < f->nsec; i++) {
		struct lsec *s = &f->secs[i];
		if (!is_data_section(s->name) || s->sh.sh_size == 0 || !(s->sh.sh_flags & SHF_ALLOC)) continue;
		size_t size = s->sh.sh_size;
		unsigned char *val = calloc(1, size);
		if (!val) return fail(ENOMEM, "out of memory");
		if (s->sh.sh_type != SHT_NOBITS && s->data && s->data->d_buf && s->data->d_size == size)
			memcpy(val, s->data->d_buf, size);
		if (apply_overrides(s->name, val, size)) {
			free(val);
			return -1;
		}
		bool ro = strncmp(s->name, ".rodata", 7) == 0;
		// As libbpf does: read-only to programs, so the verifier knows the constants.
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = ro ? BPF_F_RDONLY_PROG : 0);
		char kname[16];
		kernel_name(kname, s->name);
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, kname, 4, (__u32)size, 1, &mo);
		__u32 zero = 0;
		if (fd < 0 || bpf_map_update_elem(fd, &zero, val, 0) || (ro && bpf_map_freeze(fd))) {
			int e = errno;
			free(val);
			if (fd >= 0) close(fd);
			return fail(e, "cannot create the map of %s: %s", s->name, strerror(e));
		}
		free(val);
		s->map_fd = fd;
		struct omap *om = add_map();
		if (!om) {
			close(fd);
			return fail(ENOMEM, "out of memory");
		}
		om->fd = fd;
		om->owned = true;
		om->internal = true;
		om->frozen = ro;
		copy_name(om->name, s->name);
		fill_map_info(om);
	}
	return 0;
}

// Applies the relocations of section `sec` within [from, to) to a copy of its
// instructions placed at slot `base`; `text_base` is where .text was appended.
static int legacy_relocate(struct elf_file *f, int sec, struct bpf_insn *insns, size_t ninsns, size_t base,
			   size_t text_base, GElf_Addr from, GElf_Addr to) {
	for (size_t r = 1; r < f->nsec; r++) {
		struct lsec *rs = &f->secs[r];
		if (rs->sh.sh_type != SHT_REL || (int)rs->sh.sh_info != sec || !rs->data) continue;
		size_t nrel = rs->data->d_size / sizeof(Elf64_Rel);
		for (size_t k = 0; k < nrel; k++) {
			GElf_Rel rel;
			GElf_Sym s;
			if (!gelf_getrel(rs->data, (int)k, &rel)) continue;
			if (rel.r_offset < from || rel.r_offset >= to) continue;
			if (!gelf_getsym(f->symtab, (int)GELF_R_SYM(rel.r_info), &s)) return fail(EINVAL, "bad relocation symbol");
			size_t slot = base + (rel.r_offset - from) / 8;
			if (slot >= ninsns) return fail(EINVAL, "relocation outside the program");
			struct bpf_insn *in = &insns[slot];
			bool lddw = in->code == (BPF_LD | BPF_IMM | BPF_DW) && slot + 1 < ninsns;
			if ((int)s.st_shndx == f->maps_sec && lddw) {
				int fd = legacy_map_fd(f, s.st_value);
				if (fd < 0) return fail(EINVAL, "relocation to an unknown map");
				in->src_reg = BPF_PSEUDO_MAP_FD;
				in->imm = fd;
			} else if (s.st_shndx < f->nsec && f->secs[s.st_shndx].map_fd >= 0 && lddw) {
				in->src_reg = BPF_PSEUDO_MAP_VALUE;
				in[1].imm = (int)(s.st_value + in->imm);
				in->imm = f->secs[s.st_shndx].map_fd;
			} else if ((int)s.st_shndx == f->text_sec && in->code == (BPF_JMP | BPF_CALL)) {
				size_t target = text_base + (s.st_value + ((GElf_Sxword)in->imm + 1) * 8) / 8;
				in->src_reg = BPF_PSEUDO_CALL;
				in->imm = (int)((long)target - (long)(slot + 1));
			} else if ((int)s.st_shndx == f->text_sec && lddw) {
				size_t target = text_base + (s.st_value + in->imm) / 8;
				in->src_reg = BPF_PSEUDO_FUNC;
				in->imm = (int)((long)target - (long)(slot + 1));
			} else {
				return fail(EOPNOTSUPP, "unsupported relocation at slot %zu", slot);
			}
		}
	}
	return 0;
}

static int legacy_load_program(struct elf_file *f, GElf_Sym *s, const char *name) {
	struct lsec *ps = &f->secs[s->st_shndx];
	if (!ps->data || !ps->data->d_buf || s->st_value + s->st_size > ps->data->d_size || s->st_size % 8)
		return fail(EINVAL, "program %s lies outside its section", name);
	size_t n = s->st_size / 8;
	size_t text_slots = f->text_sec >= 0 && f->secs[f->text_sec].data ? f->secs[f->text_sec].data->d_size / 8 : 0;
	struct bpf_insn *insns = calloc(n + text_slots + 1, sizeof(*insns));
	if (!insns) return fail(ENOMEM, "out of memory");
	memcpy(insns, (char *)ps->data->d_buf + s->st_value, s->st_size);
	if (text_slots) memcpy(insns + n, f->secs[f->text_sec].data->d_buf, text_slots * 8);
	int rc = legacy_relocate(f, (int)s->st_shndx, insns, n + text_slots, 0, n, s->st_value, s->st_value + s->st_size);
	if (!rc && text_slots) rc = legacy_relocate(f, f->text_sec, insns, n + text_slots, n, n, 0, text_slots * 8);
	if (rc) {
		free(insns);
		return -1;
	}
	bool uses_text = false;
	for (size_t k = 0; k < n; k++)
		if (insns[k].src_reg == BPF_PSEUDO_CALL || insns[k].src_reg == BPF_PSEUDO_FUNC) uses_text = true;
	size_t total = uses_text ? n + text_slots : n;
	enum bpf_prog_type type = strncmp(ps->name, "xdp", 3) == 0 ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
	char kname[16];
	kernel_name(kname, name);
	static char log[1 << 20];
	LIBBPF_OPTS(bpf_prog_load_opts, po, .log_buf = log, .log_size = sizeof(log), .log_level = 0);
	log[0] = 0;
	int fd = bpf_prog_load(type, kname, f->license, insns, total, &po);
	if (fd < 0) {
		int e = errno;
		po.log_level = 1; // load again with a log, only to say why
		bpf_prog_load(type, kname, f->license, insns, total, &po);
		free(insns);
		size_t ll = strlen(log);
		return fail(e, "program %s refused: %s\n%s", name, strerror(e), ll > 6000 ? log + ll - 6000 : log);
	}
	free(insns);
	struct oprog *op = add_prog();
	if (!op) {
		close(fd);
		return fail(ENOMEM, "out of memory");
	}
	op->fd = fd;
	op->owned = true;
	copy_name(op->name, name);
	copy_name(op->section, ps->name);
	fill_prog_info(op);
	return 0;
}

static int legacy_load(struct elf_file *f) {
	if (legacy_create_maps(f) || legacy_create_data_maps(f)) return -1;
	for (size_t i = 0; i < f->nsym; i++) {
		GElf_Sym s;
		if (!gelf_getsym(f->symtab, (int)i, &s)) continue;
		if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || s.st_shndx >= f->nsec ||
		    (int)s.st_shndx == f->text_sec)
			continue;
		if (!(f->secs[s.st_shndx].sh.sh_flags & SHF_EXECINSTR)) continue;
		const char *name = elf_strptr(f->elf, f->strtab, s.st_name);
		if (legacy_load_program(f, &s, name ? name : "?")) return -1;
	}
	return 0;
}

// ---- open / load / close ---------------------------------------------------------------

void object_close(void) {
	for (size_t i = 0; i < O.nmaps; i++)
		if (O.maps[i].owned && O.maps[i].fd >= 0) close(O.maps[i].fd);
	for (size_t i = 0; i < O.nprogs; i++)
		if (O.progs[i].owned && O.progs[i].fd >= 0) close(O.progs[i].fd);
	if (O.obj) bpf_object__close(O.obj);
	for (size_t i = 0; i < O.noverrides; i++) free(O.overrides[i].bytes);
	free(O.overrides);
	free(O.maps);
	free(O.progs);
	free(O.path);
	memset(&O, 0, sizeof(O));
}

int object_open(const char *path) {
	object_close();
	struct elf_file f;
	if (elf_file_open(path, &f)) return -1;
	bool legacy = f.maps_sec >= 0;
	elf_file_close(&f);
	O.path = strdup(path);
	if (!O.path) return fail(ENOMEM, "out of memory");
	O.legacy = legacy;
	if (!legacy && libbpf_open()) {
		int e;
		const char *msg = last_error(&e);
		char keep[8192];
		snprintf(keep, sizeof(keep), "%s", msg);
		object_close();
		return fail(e, "%s", keep);
	}
	return 0;
}

int object_load(void) {
	if (!O.path) return fail(EINVAL, "no object open");
	if (O.loaded) return fail(EINVAL, "already loaded");
	struct elf_file f;
	if (elf_file_open(O.path, &f)) return -1;
	int rc = check_overrides_used(&f);
	if (!rc) rc = O.legacy ? legacy_load(&f) : libbpf_load(&f);
	elf_file_close(&f);
	if (rc) {
		// Leave nothing half-loaded: the caller may fix the request and open again.
		int e;
		const char *msg = last_error(&e);
		char keep[8192];
		snprintf(keep, sizeof(keep), "%s", msg);
		object_close();
		return fail(e, "%s", keep);
	}
	O.loaded = true;
	return 0;
}
