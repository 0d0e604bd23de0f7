import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTool, runTool, skipLine } from '../support/tools.js';
import { runCli } from '../support/cli.js';

// The inspect command end to end, against the peers where there is one: bpftool for
// --btf, llvm-objdump for --disasm.

const SAMPLES = [
  'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o',
  'corpus/coppice/obj/nodenic.bpfeb.v1.O1.o',
  'corpus/coppice/obj/localgw.bpfel.v4.O2.o',
  'corpus/coppice/obj/renamed/mvmtap.bpfel.v3.O2.o',
  'corpus/idioms/obj/bpf_loop_ranges.bpfel.o',
  'corpus/idioms/obj/legacy_elf_map.bpfeb.o',
];

/** `   12:\t<bytes>\t<text>` instruction lines, without objdump's `<sym+off>` jump notes. */
function instructionLines(listing: string): string[] {
  return listing
    .split('\n')
    .filter((l) => /^\s+\d+:\t/.test(l))
    .map((l) => l.replace(/ <[^>]+>$/, ''));
}

describe('bpf2pf inspect', () => {
  it('summarises programs, maps, globals and sources', () => {
    const r = runCli(['inspect', 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const name of ['from_cube', 'cube_dns_hdr', 'snat_alloc', 'allow_out', 'egress_sessions', 'struct session_key', 'mvm_inner_ip', 'mvmtap.bpf.c']) {
      expect(r.stdout).toContain(name);
    }
    // addresses in network order are shown as addresses (SPEC: mvm_inner_ip 169.254.68.6)
    expect(r.stdout).toMatch(/mvm_inner_ip: const volatile __be32 = 169\.254\.68\.6/);
  });

  for (const obj of SAMPLES) {
    it(`--btf of ${obj} is bpftool's raw dump`, () => {
      if (!hasTool('bpftool')) return skipLine('inspect --btf', 'bpftool not installed');
      const r = runCli(['inspect', '--btf', obj]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(runTool('bpftool', ['btf', 'dump', 'file', obj, 'format', 'raw']));
    });

    it(`--disasm of ${obj} has llvm-objdump's instructions`, () => {
      if (!hasTool('llvm-objdump-19')) return skipLine('inspect --disasm', 'llvm-objdump-19 not installed');
      const r = runCli(['inspect', '--disasm', obj]);
      expect(r.status).toBe(0);
      const ours = instructionLines(r.stdout);
      // objdump 14 cannot show cpu v4 instructions; 19 prints hex, so compare with 14 where it can.
      const peer = instructionLines(runTool(/v4/.test(obj) ? 'llvm-objdump-19' : 'llvm-objdump', ['-d', '--no-show-raw-insn', obj]));
      expect(ours.length).toBe(peer.length);
      if (!/v4/.test(obj)) {
        expect(ours.map((l) => l.replace(/\t[0-9a-f ]+\t/, '\t'))).toEqual(peer);
      }
      expect(r.stdout).toMatch(/^; /m); // source lines interleaved
    });
  }

  it('--json is the documented document', () => {
    const r = runCli(['inspect', '--json', 'corpus/idioms/obj/rodata_config.bpfel.o']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.bpf2pfInspect).toBe(1);
    expect(doc.byteOrder).toBe('little');
    expect(doc.programs.map((p: { name: string }) => p.name)).toEqual(['admin_access']);
    expect(doc.globals.length).toBeGreaterThan(0);
    for (const g of doc.globals) expect(g.bytes).toMatch(/^([0-9a-f]{2})*$/);
  });

  it('--json --disasm adds a listing per function', () => {
    const doc = JSON.parse(runCli(['inspect', '--json', '--disasm', 'corpus/idioms/obj/bpf2bpf_calls.bpfel.o']).stdout);
    const fns = [...doc.programs, ...doc.subprograms];
    expect(fns.length).toBeGreaterThan(1);
    for (const f of fns) expect(f.listing.length).toBe(f.instructions);
  });

  it('--schema gives an object without BTF its layouts', () => {
    const without = runCli(['inspect', 'corpus/idioms/obj/nobtf_legacy.bpfel.o']);
    expect(without.status).toBe(0);
    expect(without.stdout).toContain('no BTF');
    expect(without.stdout).not.toContain('struct nb_key');
    const withSchema = runCli(['inspect', '--schema', 'corpus/idioms/src/nobtf_legacy.h', '--json', 'corpus/idioms/obj/nobtf_legacy.bpfel.o']);
    expect(withSchema.status).toBe(0);
    const map = JSON.parse(withSchema.stdout).maps.find((m: { name: string }) => m.name === 'nb_rules');
    expect(map.schemaSource).toBe('header');
    expect(map.key.name).toBe('nb_key');
    expect(map.key.size).toBe(map.keySize);
    expect(map.value.size).toBe(map.valueSize);
  });

  it('a header that contradicts the object is refused in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-schema-'));
    const h = join(dir, 'wrong.h');
    writeFileSync(h, 'struct k { __u64 a; __u32 b; };\nstruct bpf_map_def { __u32 type, key_size, value_size, max_entries, map_flags; };\nstruct bpf_map_def SEC("maps") nb_rules = { .type = BPF_MAP_TYPE_HASH, .key_size = sizeof(struct k), .value_size = 16, .max_entries = 2048 };\n');
    const r = runCli(['inspect', '--schema', h, 'corpus/idioms/obj/nobtf_legacy.bpfel.o']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("bpf2pf: corpus/idioms/obj/nobtf_legacy.bpfel.o: header declares map 'nb_rules' with key size 16 (object: 8) [SCHEMA_BAD_MAP]\n");
  });

  it('a header that does not parse is refused with its position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-schema-'));
    const h = join(dir, 'broken.h');
    writeFileSync(h, 'struct k { __u32 a\n};\n');
    const r = runCli(['inspect', '--schema', h, 'corpus/idioms/obj/nobtf_legacy.bpfel.o']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/broken\.h:2:1: .*\[SCHEMA_SYNTAX\]$/m);
  });

  it('bad usage and unreadable files exit 2 with one line', () => {
    const missing = runCli(['inspect', 'no/such/file.o']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('bpf2pf: no/such/file.o: cannot read: ENOENT [IO]\n');
    const noArg = runCli(['inspect']);
    expect(noArg.status).toBe(2);
    const unknown = runCli(['inspect', '--bogus', 'corpus/idioms/obj/mark_set.bpfel.o']);
    expect(unknown.status).toBe(2);
    const btfless = runCli(['inspect', '--btf', 'corpus/idioms/obj/nobtf_legacy.bpfel.o']);
    expect(btfless.status).toBe(2);
    expect(btfless.stderr).toMatch(/no BTF .*\[USAGE\]\n$/);
  });
});
