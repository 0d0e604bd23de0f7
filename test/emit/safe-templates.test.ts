/** Comment lines of the dummynet and netgraph files: one `#` line or more, never text outside a comment. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commentLines, MAX_COMMENT_LINE } from '../../src/emit/safe-templates.js';
import { commentText } from '../../src/ir/names.js';

describe('commentLines', () => {
  it('wraps any text into #-lines of bounded length that keep all of it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.array(fc.constantFrom('ab', ' ', '%', 'é', '\n', 'x'.repeat(170)), { maxLength: 40 }).map((a) => a.join(''))), (s) => {
        const out = commentLines(s).split('\n');
        for (const line of out) {
          expect(line.startsWith('#')).toBe(true);
          expect(line.length).toBeLessThanOrEqual(MAX_COMMENT_LINE);
          expect(line).toMatch(/^[\x20-\x7e]*$/);
        }
        const text = out.map((l) => l.replace(/^# ?/, '')).join('');
        expect(text.replace(/ /g, '')).toBe(commentText(s).replace(/ /g, ''));
      }),
      { numRuns: 500 },
    );
  });
});
