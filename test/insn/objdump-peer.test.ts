/**
 * Peer test over real objects: every probe (built now, for clang 14 v1/v2/v3 and clang 19
 * v4, both byte orders) and every corpus object (except corpus/hostile). For each, the
 * section bytes are decoded and listed, and the listing must equal llvm-objdump 19's and
 * 14's, with and without +alu32, relocation lines included. See peer-compare.ts for the
 * one normalisation (instructions a tool cannot show).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildProbes, corpusObjects, probeSources } from './probe-build.js';
import { PEER_TOOLS, compareObject, formatStats, newStats } from './peer-compare.js';
import { OBJCOPY, OBJDUMP14, OBJDUMP19, READELF, requireTools } from './peer.js';

const toolsPresent = requireTools(OBJDUMP19, OBJDUMP14, READELF, OBJCOPY);
const build = toolsPresent ? await buildProbes() : undefined;
const probes = build?.objects ?? [];
const corpus = toolsPresent ? corpusObjects() : [];
if (toolsPresent && corpus.length === 0) console.log('SKIP: corpus/ has no objects yet; only the probes are compared');

describe.skipIf(!toolsPresent)('listings agree with llvm-objdump', () => {
  const probeStats = newStats();
  const corpusStats = newStats();

  it('builds every probe in every configuration', () => {
    expect(probes.length).toBe(probeSources().length * 8);
  });

  for (const obj of probes) {
    it(`probe ${obj.label}`, () => compareObject(obj.file, PEER_TOOLS, probeStats));
  }
  for (const obj of corpus) {
    it(`corpus ${obj.label}`, () => compareObject(obj.file, PEER_TOOLS, corpusStats));
  }

  afterAll(() => {
    build?.remove();
    console.log(formatStats('probes', probes.length, probeStats));
    console.log(formatStats('corpus', corpus.length, corpusStats));
  });
});
