/**
 * Peer test over real objects: every probe (built now, for clang 14 v1/v2/v3 and clang 19
 * v4, both byte orders) and every corpus object (except corpus/hostile). For each, the
 * section bytes are decoded and listed, and the listing must equal llvm-objdump 19's and
 * 14's, with and without +alu32, relocation lines included. See peer-compare.ts for the
 * one normalisation (instructions a tool cannot show).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bpf2pfError } from '../../src/errors.js';
import { decodeInstructions } from '../../src/insn/decode.js';
import { REPO, buildProbes, corpusObjects, probeSources } from './probe-build.js';
import { PEER_TOOLS, compareObject, formatStats, newStats } from './peer-compare.js';
import { OBJCOPY, OBJDUMP14, OBJDUMP19, READELF, dumpSection, executableSections, isLittleEndianElf, requireTools } from './peer.js';

const toolsPresent = requireTools(OBJDUMP19, OBJDUMP14, READELF, OBJCOPY);
const build = toolsPresent ? await buildProbes() : undefined;
const probes = build?.objects ?? [];
afterAll(() => build?.remove());
const corpus = toolsPresent ? corpusObjects() : [];
if (toolsPresent && corpus.length === 0) console.log('SKIP: corpus/ has no objects yet; only the probes are compared');

describe.skipIf(!toolsPresent)('listings agree with llvm-objdump', () => {
  const probeStats = newStats();
  const corpusStats = newStats();

  it('builds every probe in every configuration whose compiler is present', () => {
    expect(probes.length).toBe(probeSources().length * (build?.configurations ?? 0));
  });

  for (const obj of probes) {
    it(`probe ${obj.label}`, () => compareObject(obj.file, PEER_TOOLS, probeStats));
  }
  for (const obj of corpus) {
    it(`corpus ${obj.label}`, () => compareObject(obj.file, PEER_TOOLS, corpusStats));
  }

  afterAll(() => {
    console.log(formatStats('probes', probes.length, probeStats));
    console.log(formatStats('corpus', corpus.length, corpusStats));
  });
});

const HOSTILE = join(REPO, 'corpus/hostile');
const invalidInstructions = existsSync(HOSTILE)
  ? readdirSync(HOSTILE).filter((f) => f.endsWith('.expect') && readFileSync(join(HOSTILE, f), 'utf8').startsWith('INSN_INVALID')).map((f) => join(HOSTILE, f.replace(/\.expect$/, '.o')))
  : [];
if (invalidInstructions.length === 0) console.log('SKIP: no corpus/hostile objects expected to fail with INSN_INVALID');

describe.skipIf(!toolsPresent || invalidInstructions.length === 0)('hostile objects expected to fail with INSN_INVALID', () => {
  for (const file of invalidInstructions) {
    it(file.slice(REPO.length), () => {
      const errors = executableSections(file).flatMap((name) => {
        try {
          decodeInstructions(dumpSection(file, name), isLittleEndianElf(file), { section: name });
          return [];
        } catch (e) {
          if (!(e instanceof Bpf2pfError)) throw e;
          return [e.code];
        }
      });
      expect(errors).toEqual(['INSN_INVALID']);
    });
  }
});
