/** Comment lines of the dummynet and netgraph files: one `#` line or more, never text outside a comment. */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commentLines, loadSafeTemplates, MAX_COMMENT_LINE, type TemplateHelper } from '../../src/emit/safe-templates.js';
import { commentText } from '../../src/ir/names.js';
import { errorOf } from '../support/errors.js';

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

describe('templates compiled ahead', () => {
  const helpers: Record<string, TemplateHelper> = { word: (v) => (typeof v === 'string' && /^[a-z]+$/.test(v) ? v : 'BAD') };
  const dirWith = (source: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-hbs-'));
    writeFileSync(join(dir, 'a.hbs'), source);
    return dir;
  };
  const view = { items: ['one', 'two'], flag: true };
  const SOURCE = '{{#each items}}- {{word this}}\n{{/each}}{{#if flag}}on{{/if}}\n';

  it('render exactly as the templates compiled on load, and are used for the same source only', () => {
    const first = loadSafeTemplates(dirWith(SOURCE), ['a'], helpers, { precompiled: new Map() });
    const specs = first.precompiled();
    expect(Object.keys(specs)).toHaveLength(1);
    const ahead = loadSafeTemplates(dirWith(SOURCE), ['a'], helpers, { precompiled: new Map(Object.entries(specs)) });
    expect(ahead.render('a', view)).toBe('- one\n- two\non\n');
    expect(ahead.render('a', view)).toBe(first.render('a', view));
    // A spec that is not this template's is never taken for it: another text compiles anew.
    const other = loadSafeTemplates(dirWith(SOURCE.replace('on', 'yes')), ['a'], helpers, { precompiled: new Map(Object.entries(specs)) });
    expect(other.render('a', view)).toBe('- one\n- two\nyes\n');
    expect(Object.keys(other.precompiled())).not.toEqual(Object.keys(specs));
  });

  it('do not let an edited template skip the check', () => {
    const specs = new Map(Object.entries(loadSafeTemplates(dirWith(SOURCE), ['a'], helpers, { precompiled: new Map() }).precompiled()));
    expect(errorOf(() => loadSafeTemplates(dirWith(`${SOURCE}{{raw}}`), ['a'], helpers, { precompiled: specs })).code).toBe('EMIT_TEMPLATE');
    // Nor a change of the helpers it may print through.
    expect(errorOf(() => loadSafeTemplates(dirWith(SOURCE), ['a'], { other: helpers.word }, { precompiled: specs })).code).toBe('EMIT_TEMPLATE');
  });
});
