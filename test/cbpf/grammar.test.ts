import { describe, expect, it } from 'vitest';
import { checkPcapFilterGrammar } from '../../grammars/pcap-filter.js';

// The shared parser and lexer skip chevrotain's checks of the grammar at start-up; the
// checks run here instead, so an ambiguous alternative or a bad token still fails a build.
describe('pcap-filter grammar', () => {
  it("passes chevrotain's own checks of the grammar and its tokens", () => {
    expect(() => checkPcapFilterGrammar()).not.toThrow();
  });
});
