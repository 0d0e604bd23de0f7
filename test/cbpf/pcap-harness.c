/*
 * Test oracle for src/cbpf: runs classic BPF programs through libpcap's bpf_validate,
 * bpf_filter and bpf_image, and (with --linux) through the Linux kernel's socket-filter
 * checker and interpreter (SO_ATTACH_FILTER on an AF_UNIX datagram socketpair).
 *
 * Commands on stdin, one per line; answers on stdout, one line each:
 *   prog N            then N lines "code jt jf k" (tcpdump -ddd body, decimal)
 *                     -> "validate 0|1" and, with --linux, "linux ok" | "linux reject <errno>"
 *   pkt HEX [WIRELEN] -> "pcap <verdict>" | "pcap unsafe", then with --linux
 *                        "linux drop" | "linux len <bytes received>" | "linux noprog"
 *   image             -> "image <bpf_image text>" per instruction
 *   frame HEX [WIRELEN] stores a frame (no answer), for running many programs over
 *   runall            -> "pcapall V V ..." (or "pcapall unsafe") over every stored frame,
 *                        then with --linux "linuxall X X ..." (X: "d" dropped, or bytes)
 *
 * libpcap's validate accepts backward ja (an endless loop) and non-canonical codes
 * (bpf_filter calls abort()), so bpf_filter only runs on programs whose codes are all
 * canonical and whose jumps all go forward in range: otherwise "pcap unsafe".
 */
#include <errno.h>
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_INSNS 65536
#define MAX_FRAME 65536

static struct bpf_insn prog[MAX_INSNS];
static int prog_len = -1;
static int linux_mode = 0;
static int linux_ok = 0;
static int sv[2] = {-1, -1};

struct frame { unsigned char *bytes; size_t len; unsigned wirelen; };
static struct frame *frames;
static size_t nframes, frames_cap;

/* The 49 codes FreeBSD and Linux accept (reference section 3.2). */
static const unsigned short canonical[] = {
  0x00, 0x01, 0x02, 0x03, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x60, 0x61, 0x80, 0x81, 0xb1,
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
  0x84, 0x94, 0x9c, 0xa4, 0xac,
  0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d,
  0x06, 0x16, 0x07, 0x87,
};

static int is_canonical(unsigned code) {
  for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++)
    if (canonical[i] == code) return 1;
  return 0;
}

/* Safe for libpcap's bpf_filter: canonical codes, forward jumps in range, ends in ret. */
static int safe_to_run(void) {
  if (prog_len <= 0) return 0;
  for (int i = 0; i < prog_len; i++) {
    const struct bpf_insn *p = &prog[i];
    if (!is_canonical(p->code)) return 0;
    if ((p->code & 0x07) == 0x05) {
      unsigned long long rest = (unsigned long long)(prog_len - i - 1);
      unsigned long long off = p->code == 0x05 ? p->k : (p->jt > p->jf ? p->jt : p->jf);
      if (off >= rest) return 0;
    }
  }
  return (prog[prog_len - 1].code & 0x07) == 0x06;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void attach_linux(void) {
  if (sv[0] >= 0) { close(sv[0]); close(sv[1]); sv[0] = sv[1] = -1; }
  linux_ok = 0;
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) { printf("linux reject socketpair:%s\n", strerror(errno)); return; }
  struct sock_fprog fp = { .len = (unsigned short)prog_len, .filter = (struct sock_filter *)prog };
  if (prog_len > 65535) fp.len = 0;
  if (setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) < 0) {
    printf("linux reject %s\n", errno == EINVAL ? "EINVAL" : strerror(errno));
    return;
  }
  linux_ok = 1;
  printf("linux ok\n");
}

/* What the kernel delivered: -1 dropped, -2 an error, otherwise the byte count. */
static long linux_verdict(const unsigned char *pkt, size_t len) {
  static unsigned char buf[MAX_FRAME + 16];
  if (send(sv[0], pkt, len, 0) < 0) return -2;
  ssize_t r = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
  return r < 0 ? -2 : (long)r;
}

static void run_linux(const unsigned char *pkt, size_t len) {
  if (!linux_ok) { printf("linux noprog\n"); return; }
  long v = linux_verdict(pkt, len);
  if (v == -1) printf("linux drop\n");
  else if (v == -2) printf("linux error %s\n", strerror(errno));
  else printf("linux len %ld\n", v);
}

/* Parses "HEX [WIRELEN]" into pkt; returns the byte count. */
static size_t parse_frame(const char *p, unsigned char *pkt, unsigned *wirelen) {
  size_t len = 0;
  while (*p == ' ') p++;
  while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && len < MAX_FRAME) {
    pkt[len++] = (unsigned char)(hexval(p[0]) << 4 | hexval(p[1]));
    p += 2;
  }
  *wirelen = (unsigned)len;
  while (*p == ' ') p++;
  if (*p >= '0' && *p <= '9') *wirelen = (unsigned)strtoul(p, NULL, 10);
  return len;
}

static void run_all(void) {
  int safe = safe_to_run();
  printf("pcapall");
  if (!safe) printf(" unsafe");
  else for (size_t i = 0; i < nframes; i++) printf(" %u", bpf_filter(prog, frames[i].bytes, frames[i].wirelen, (unsigned)frames[i].len));
  printf("\n");
  if (!linux_mode) return;
  printf("linuxall");
  if (linux_ok) {
    for (size_t i = 0; i < nframes; i++) {
      long v = linux_verdict(frames[i].bytes, frames[i].len);
      if (v == -1) printf(" d"); else if (v == -2) printf(" e"); else printf(" %ld", v);
    }
  }
  printf("\n");
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--linux") == 0) linux_mode = 1;
    else { fprintf(stderr, "usage: pcap-harness [--linux] < commands\n"); return 2; }
  }
  static unsigned char pkt[MAX_FRAME];
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, stdin) > 0) {
    if (strncmp(line, "prog ", 5) == 0) {
      int n = atoi(line + 5);
      if (n < 0 || n > MAX_INSNS) { printf("error bad count\n"); return 1; }
      for (int i = 0; i < n; i++) {
        unsigned code, jt, jf; unsigned long k;
        if (getline(&line, &cap, stdin) <= 0 || sscanf(line, "%u %u %u %lu", &code, &jt, &jf, &k) != 4) {
          printf("error bad instruction %d\n", i); return 1;
        }
        prog[i].code = (unsigned short)code; prog[i].jt = (unsigned char)jt;
        prog[i].jf = (unsigned char)jf; prog[i].k = (bpf_u_int32)k;
      }
      prog_len = n;
      printf("validate %d\n", bpf_validate(prog, n));
      if (linux_mode) attach_linux();
    } else if (strncmp(line, "pkt", 3) == 0) {
      unsigned wirelen;
      size_t len = parse_frame(line + 3, pkt, &wirelen);
      if (safe_to_run()) printf("pcap %u\n", bpf_filter(prog, pkt, wirelen, (unsigned)len));
      else printf("pcap unsafe\n");
      if (linux_mode) run_linux(pkt, len);
    } else if (strncmp(line, "frame", 5) == 0) {
      if (nframes == frames_cap) {
        frames_cap = frames_cap ? frames_cap * 2 : 1024;
        frames = realloc(frames, frames_cap * sizeof *frames);
        if (!frames) { printf("error out of memory\n"); return 1; }
      }
      struct frame *f = &frames[nframes++];
      f->len = parse_frame(line + 5, pkt, &f->wirelen);
      f->bytes = malloc(f->len ? f->len : 1);
      if (!f->bytes) { printf("error out of memory\n"); return 1; }
      memcpy(f->bytes, pkt, f->len);
      continue;
    } else if (strncmp(line, "runall", 6) == 0) {
      run_all();
    } else if (strncmp(line, "image", 5) == 0) {
      for (int i = 0; i < prog_len; i++) printf("image %s\n", bpf_image(&prog[i], i));
    } else if (line[0] != '\n') {
      printf("error unknown command\n");
      return 1;
    }
    fflush(stdout);
  }
  return 0;
}
