// bpfload: load eBPF objects into the running kernel so its verifier judges every
// program, then remove everything again. Used by the corpus tests.
//
//   bpfload --pin-root DIR OBJ...
//   bpfload --describe OBJ        (libbpf's reading of the object: no kernel needed)
//
// Objects are loaded in order into one pin root, so maps pinned by name in an earlier
// object are reused (and checked for compatibility by libbpf) by later ones: the Coppice
// programs share their maps that way. Objects with a legacy `maps` section, which libbpf
// 1.x refuses, go through a small loader of our own on libbpf's low-level calls.
//
// Prints one JSON object per program on stdout; exit 0 if every program loaded, 1 if
// any failed, 2 on bad usage. Nothing stays pinned: the pin root is emptied and removed.

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_SIZE (1 << 20)

static char libbpf_log[1 << 16];
static size_t libbpf_log_len;

static int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap) {
	(void)level;
	if (libbpf_log_len < sizeof(libbpf_log) - 1) {
		int n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt, ap);
		if (n > 0) libbpf_log_len += (size_t)n;
		if (libbpf_log_len > sizeof(libbpf_log) - 1) libbpf_log_len = sizeof(libbpf_log) - 1;
	}
	return 0;
}

static void json_str(const char *s) {
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c == '\n') printf("\\n");
		else if (c == '\t') printf("\\t");
		else if (c < 0x20) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

// The last lines of a verifier log are the ones that say why it refused.
static const char *log_tail(const char *log, size_t keep) {
	size_t n = strlen(log);
	return n > keep ? log + n - keep : log;
}

static void report(const char *obj, const char *prog, const char *sec, const char *type, int ok,
		   unsigned insns, unsigned verified, const char *err, const char *log) {
	printf("{\"object\":");
	json_str(obj);
	printf(",\"program\":");
	json_str(prog);
	printf(",\"section\":");
	json_str(sec);
	printf(",\"type\":");
	json_str(type);
	printf(",\"ok\":%s,\"insns\":%u,\"verified_insns\":%u", ok ? "true" : "false", insns, verified);
	if (err) {
		printf(",\"error\":");
		json_str(err);
	}
	if (log && *log) {
		printf(",\"log\":");
		json_str(log_tail(log, 4000));
	}
	printf("}\n");
	fflush(stdout);
}

static unsigned verified_insns(int fd) {
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) return 0;
	return info.verified_insns;
}

static int has_section(const char *path, const char *want) {
	int fd = open(path, O_RDONLY);
	if (fd < 0) return -1;
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	int found = 0;
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;
		while ((scn = elf_nextscn(e, scn))) {
			if (!gelf_getshdr(scn, &sh)) continue;
			const char *name = elf_strptr(e, shstrndx, sh.sh_name);
			if (name && strcmp(name, want) == 0) found = 1;
		}
	}
	if (e) elf_end(e);
	close(fd);
	return found;
}

// ---- libbpf path -------------------------------------------------------------------

static int load_with_libbpf(const char *path, const char *pin_root, struct bpf_object **out) {
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
	libbpf_log_len = 0;
	libbpf_log[0] = 0;
	struct bpf_object *obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		report(path, "", "", "", 0, 0, 0, "bpf_object__open_file failed", libbpf_log);
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		// iproute2 loads sections libbpf does not know as classifiers; do the same.
		if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC)
			bpf_program__set_type(prog, BPF_PROG_TYPE_SCHED_CLS);
	}
	int err = bpf_object__load(obj);
	bpf_object__for_each_program(prog, obj) {
		const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
		int fd = bpf_program__fd(prog);
		if (err || fd < 0) {
			report(path, bpf_program__name(prog), bpf_program__section_name(prog), type ? type : "?", 0,
			       (unsigned)bpf_program__insn_cnt(prog), 0, err ? strerror(-err) : "not loaded", libbpf_log);
		} else {
			report(path, bpf_program__name(prog), bpf_program__section_name(prog), type ? type : "?", 1,
			       (unsigned)bpf_program__insn_cnt(prog), verified_insns(fd), NULL, NULL);
		}
	}
	*out = obj;
	return err ? 1 : 0;
}

// ---- legacy `maps` path --------------------------------------------------------------

struct section {
	const char *name;
	GElf_Shdr sh;
	Elf_Data *data;
	int map_fd; // for data sections: their internal array map
};

struct legacy {
	Elf *elf;
	size_t nsec;
	struct section *secs;
	Elf_Data *symtab;
	size_t nsym;
	size_t strtab;
	int maps_sec;
	int text_sec;
	int map_fds[256];
	GElf_Addr map_offs[256];
	int nmaps;
	char license[128];
};

// The kernel's own account of a map we created from a legacy definition.
static void report_kernel_map(const char *path, const char *name, int fd) {
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) return;
	printf("{\"object\":");
	json_str(path);
	printf(",\"map\":");
	json_str(name ? name : "");
	printf(",\"type\":%u,\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,\"flags\":%u}\n", info.type,
	       info.key_size, info.value_size, info.max_entries, info.map_flags);
}

static int legacy_map_fd(struct legacy *l, GElf_Addr off) {
	for (int i = 0; i < l->nmaps; i++)
		if (l->map_offs[i] == off) return l->map_fds[i];
	return -1;
}

static int legacy_create_maps(struct legacy *l, const char *path) {
	for (size_t i = 0; i < l->nsym; i++) {
		GElf_Sym s;
		gelf_getsym(l->symtab, (int)i, &s);
		if ((int)s.st_shndx != l->maps_sec || GELF_ST_TYPE(s.st_info) != STT_OBJECT) continue;
		if (s.st_size < 20 || s.st_value + 20 > l->secs[l->maps_sec].data->d_size || l->nmaps >= 256) {
			report(path, "", "maps", "", 0, 0, 0, "malformed legacy map definition", NULL);
			return 1;
		}
		__u32 def[5];
		memcpy(def, (char *)l->secs[l->maps_sec].data->d_buf + s.st_value, sizeof(def));
		LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = def[4]);
		int fd = bpf_map_create((enum bpf_map_type)def[0], NULL, def[1], def[2], def[3], &mo);
		if (fd < 0) {
			char msg[128];
			snprintf(msg, sizeof(msg), "map create failed: %s", strerror(errno));
			report(path, "", "maps", "", 0, 0, 0, msg, NULL);
			return 1;
		}
		l->map_fds[l->nmaps] = fd;
		l->map_offs[l->nmaps] = s.st_value;
		l->nmaps++;
		report_kernel_map(path, elf_strptr(l->elf, l->strtab, s.st_name), fd);
	}
	return 0;
}

static int is_data_section(const char *n) {
	return strncmp(n, ".rodata", 7) == 0 || strncmp(n, ".data", 5) == 0 || strncmp(n, ".bss", 4) == 0;
}

static int legacy_create_data_maps(struct legacy *l, const char *path) {
	for (size_t i = 1; i < l->nsec; i++) {
		struct section *s = &l->secs[i];
		s->map_fd = -1;
		if (!s->name || !is_data_section(s->name) || s->sh.sh_size == 0) continue;
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, (__u32)s->sh.sh_size, 1, NULL);
		if (fd < 0) {
			report(path, "", s->name, "", 0, 0, 0, "data map create failed", NULL);
			return 1;
		}
		__u32 zero = 0;
		void *val = calloc(1, s->sh.sh_size);
		if (s->sh.sh_type != SHT_NOBITS && s->data && s->data->d_buf) memcpy(val, s->data->d_buf, s->sh.sh_size);
		bpf_map_update_elem(fd, &zero, val, 0);
		free(val);
		if (strncmp(s->name, ".rodata", 7) == 0) bpf_map_freeze(fd);
		s->map_fd = fd;
	}
	return 0;
}

// Applies the relocations of section `sec` to a copy of its instructions placed at
// slot `base` of the program being assembled; `text_base` is where .text was appended.
static int legacy_relocate(struct legacy *l, int sec, struct bpf_insn *insns, size_t base, size_t text_base,
			   GElf_Addr from, GElf_Addr to, const char **why) {
	for (size_t r = 1; r < l->nsec; r++) {
		struct section *rs = &l->secs[r];
		if (rs->sh.sh_type != SHT_REL || (int)rs->sh.sh_info != sec) continue;
		size_t nrel = rs->sh.sh_size / sizeof(GElf_Rel);
		for (size_t k = 0; k < nrel; k++) {
			GElf_Rel rel;
			gelf_getrel(rs->data, (int)k, &rel);
			if (rel.r_offset < from || rel.r_offset >= to) continue;
			GElf_Sym s;
			gelf_getsym(l->symtab, (int)GELF_R_SYM(rel.r_info), &s);
			struct bpf_insn *in = &insns[base + (rel.r_offset - from) / 8];
			size_t slot = base + (rel.r_offset - from) / 8;
			if ((int)s.st_shndx == l->maps_sec) {
				int fd = legacy_map_fd(l, s.st_value);
				if (fd < 0) { *why = "relocation to an unknown map"; return 1; }
				in->src_reg = BPF_PSEUDO_MAP_FD;
				in->imm = fd;
			} else if (s.st_shndx < l->nsec && l->secs[s.st_shndx].map_fd >= 0 && in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				in->src_reg = BPF_PSEUDO_MAP_VALUE;
				in[1].imm = (int)(s.st_value + in->imm);
				in->imm = l->secs[s.st_shndx].map_fd;
			} else if ((int)s.st_shndx == l->text_sec && in->code == (BPF_JMP | BPF_CALL)) {
				size_t target = text_base + (s.st_value + ((GElf_Sxword)in->imm + 1) * 8) / 8;
				in->src_reg = BPF_PSEUDO_CALL;
				in->imm = (int)(target - (slot + 1));
			} else if ((int)s.st_shndx == l->text_sec && in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				size_t target = text_base + (s.st_value + in->imm) / 8;
				in->src_reg = BPF_PSEUDO_FUNC;
				in->imm = (int)(target - (slot + 1));
			} else {
				*why = "unsupported relocation";
				return 1;
			}
		}
	}
	return 0;
}

static int legacy_load(const char *path) {
	int rc = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		report(path, "", "", "", 0, 0, 0, "cannot open", NULL);
		return 1;
	}
	struct legacy l;
	memset(&l, 0, sizeof(l));
	l.maps_sec = l.text_sec = -1;
	l.elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (!l.elf || elf_getshdrnum(l.elf, &l.nsec) || elf_getshdrstrndx(l.elf, &shstrndx)) {
		report(path, "", "", "", 0, 0, 0, "not an ELF file", NULL);
		close(fd);
		return 1;
	}
	l.secs = calloc(l.nsec, sizeof(*l.secs));
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(l.elf, scn))) {
		size_t i = elf_ndxscn(scn);
		gelf_getshdr(scn, &l.secs[i].sh);
		l.secs[i].name = elf_strptr(l.elf, shstrndx, l.secs[i].sh.sh_name);
		l.secs[i].data = elf_getdata(scn, NULL);
		l.secs[i].map_fd = -1;
		if (!l.secs[i].name) continue;
		if (l.secs[i].sh.sh_type == SHT_SYMTAB) {
			l.symtab = l.secs[i].data;
			l.nsym = l.secs[i].sh.sh_size / l.secs[i].sh.sh_entsize;
			l.strtab = l.secs[i].sh.sh_link;
		} else if (strcmp(l.secs[i].name, "maps") == 0) {
			l.maps_sec = (int)i;
		} else if (strcmp(l.secs[i].name, ".text") == 0) {
			l.text_sec = (int)i;
		} else if (strcmp(l.secs[i].name, "license") == 0 && l.secs[i].data) {
			snprintf(l.license, sizeof(l.license), "%.*s", (int)l.secs[i].data->d_size, (char *)l.secs[i].data->d_buf);
		}
	}
	if (!l.symtab || legacy_create_maps(&l, path) || legacy_create_data_maps(&l, path)) {
		rc = 1;
		goto out;
	}
	size_t text_slots = l.text_sec >= 0 ? l.secs[l.text_sec].sh.sh_size / 8 : 0;
	for (size_t i = 0; i < l.nsym; i++) {
		GElf_Sym s;
		gelf_getsym(l.symtab, (int)i, &s);
		if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || (int)s.st_shndx == l.text_sec ||
		    s.st_shndx >= l.nsec)
			continue;
		struct section *ps = &l.secs[s.st_shndx];
		if (!(ps->sh.sh_flags & SHF_EXECINSTR)) continue;
		const char *name = elf_strptr(l.elf, l.strtab, s.st_name);
		size_t n = s.st_size / 8;
		struct bpf_insn *insns = calloc(n + text_slots, sizeof(*insns));
		memcpy(insns, (char *)ps->data->d_buf + s.st_value, s.st_size);
		if (text_slots) memcpy(insns + n, l.secs[l.text_sec].data->d_buf, text_slots * 8);
		const char *why = NULL;
		int bad = legacy_relocate(&l, (int)s.st_shndx, insns, 0, n, s.st_value, s.st_value + s.st_size, &why);
		if (!bad && text_slots) bad = legacy_relocate(&l, l.text_sec, insns, n, n, 0, text_slots * 8, &why);
		int uses_text = 0;
		for (size_t k = 0; k < n; k++)
			if (insns[k].src_reg == BPF_PSEUDO_CALL || insns[k].src_reg == BPF_PSEUDO_FUNC) uses_text = 1;
		size_t total = uses_text ? n + text_slots : n;
		enum bpf_prog_type type = strncmp(ps->name, "xdp", 3) == 0 ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
		const char *tname = libbpf_bpf_prog_type_str(type);
		if (bad) {
			report(path, name, ps->name, tname, 0, (unsigned)total, 0, why, NULL);
			rc = 1;
			free(insns);
			continue;
		}
		char *log = calloc(1, LOG_SIZE);
		LIBBPF_OPTS(bpf_prog_load_opts, po, .log_buf = log, .log_size = LOG_SIZE, .log_level = 0);
		int pfd = bpf_prog_load(type, name, l.license, insns, total, &po);
		if (pfd < 0) {
			// Load again with a log, only to say why.
			po.log_level = 1;
			log[0] = 0;
			int e = errno;
			bpf_prog_load(type, name, l.license, insns, total, &po);
			report(path, name, ps->name, tname, 0, (unsigned)total, 0, strerror(e), log);
			rc = 1;
		} else {
			report(path, name, ps->name, tname, 1, (unsigned)total, verified_insns(pfd), NULL, NULL);
			close(pfd);
		}
		free(log);
		free(insns);
	}
out:
	for (int i = 0; i < l.nmaps; i++) close(l.map_fds[i]);
	for (size_t i = 0; i < l.nsec; i++)
		if (l.secs[i].map_fd >= 0) close(l.secs[i].map_fd);
	free(l.secs);
	elf_end(l.elf);
	close(fd);
	return rc;
}

// ---- describe: libbpf's view of programs and maps, before anything is loaded -----------

static void describe_map(const char *path, struct bpf_map *m, const char *outer) {
	printf("{\"object\":");
	json_str(path);
	printf(",\"map\":");
	json_str(bpf_map__name(m));
	if (outer) {
		printf(",\"innerOf\":");
		json_str(outer);
	}
	printf(",\"type\":%d,\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,\"flags\":%u,\"numa_node\":%u,\"map_extra\":\"%llu\",\"internal\":%s,\"pinned_by_name\":%s}\n",
	       (int)bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m),
	       bpf_map__map_flags(m), bpf_map__numa_node(m), (unsigned long long)bpf_map__map_extra(m),
	       bpf_map__is_internal(m) ? "true" : "false", bpf_map__pin_path(m) ? "true" : "false");
}

static int describe(const char *path) {
	libbpf_log_len = 0;
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("{\"object\":");
		json_str(path);
		printf(",\"error\":");
		json_str(libbpf_log);
		printf("}\n");
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		printf("{\"object\":");
		json_str(path);
		printf(",\"program\":");
		json_str(bpf_program__name(prog));
		printf(",\"section\":");
		json_str(bpf_program__section_name(prog));
		const char *type = libbpf_bpf_prog_type_str(bpf_program__type(prog));
		printf(",\"type\":");
		json_str(type ? type : "unspec");
		printf(",\"insns\":%zu,\"autoload\":%s}\n", bpf_program__insn_cnt(prog), bpf_program__autoload(prog) ? "true" : "false");
	}
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		describe_map(path, m, NULL);
		struct bpf_map *inner = bpf_map__inner_map(m);
		if (inner) describe_map(path, inner, bpf_map__name(m));
	}
	bpf_object__close(obj);
	return 0;
}

// ---- driver --------------------------------------------------------------------------

static void remove_tree(const char *dir) {
	DIR *d = opendir(dir);
	if (!d) return;
	struct dirent *de;
	char p[4096];
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			remove_tree(p);
			rmdir(p);
		} else {
			unlink(p);
		}
	}
	closedir(d);
}

int main(int argc, char **argv) {
	const char *pin_root = NULL;
	int first = 1;
	if (argc == 3 && strcmp(argv[1], "--describe") == 0) {
		libbpf_set_print(capture_libbpf);
		return describe(argv[2]);
	}
	if (argc > 2 && strcmp(argv[1], "--pin-root") == 0) {
		pin_root = argv[2];
		first = 3;
	}
	if (!pin_root || first >= argc) {
		fprintf(stderr, "usage: bpfload --pin-root DIR OBJ...\n");
		return 2;
	}
	if (mkdir(pin_root, 0700) && errno != EEXIST) {
		fprintf(stderr, "bpfload: cannot create %s: %s\n", pin_root, strerror(errno));
		return 2;
	}
	elf_version(EV_CURRENT);
	libbpf_set_print(capture_libbpf);
	int rc = 0;
	struct bpf_object *objs[64] = {0};
	int nobjs = 0;
	for (int i = first; i < argc; i++) {
		int legacy = has_section(argv[i], "maps");
		if (legacy < 0) {
			report(argv[i], "", "", "", 0, 0, 0, "cannot open", NULL);
			rc = 1;
		} else if (legacy) {
			rc |= legacy_load(argv[i]);
		} else {
			struct bpf_object *obj = NULL;
			rc |= load_with_libbpf(argv[i], pin_root, &obj);
			if (obj && nobjs < 64) objs[nobjs++] = obj;
			else if (obj) bpf_object__close(obj);
		}
	}
	// Keep every object open until all are loaded so shared pinned maps stay the same
	// maps; then unpin and close everything.
	for (int i = 0; i < nobjs; i++) {
		bpf_object__unpin_maps(objs[i], NULL);
		bpf_object__close(objs[i]);
	}
	remove_tree(pin_root);
	rmdir(pin_root);
	return rc;
}
