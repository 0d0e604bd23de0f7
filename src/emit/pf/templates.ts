/**
 * The handlebars templates of templates/pf, loaded from a directory (by default the
 * package's own, found from this module's location, which works from src/, dist/src/
 * and the dist/cli bundle alike).
 *
 * Output is pf.conf, not HTML, so nothing is HTML-escaped (`noEscape`). In exchange a
 * template may print only through the helpers below, each of which validates or quotes
 * its argument for the place it prints to: a plain `{{value}}` is refused when the
 * templates are loaded, so no template can forget (the checks are safe-templates.ts's,
 * shared with the dummynet and netgraph emitters; pf's templates may use partials/).
 */
import { assertName, commentText, quote } from '../../ir/names.js';
import { helperError, loadSafeTemplates, packageTemplatesDir, stringArg as str, type SafeTemplates } from '../safe-templates.js';
import { checkPrefix } from './address.js';
import type { PfStatement, PfTableDef } from './model.js';
import { renderStatement, tableRef } from './render.js';

export { packageRoot } from '../safe-templates.js';

export const TEMPLATE_NAMES = ['pf.conf', 'anchor.conf', 'table.txt', 'control-plane.md'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export type PfTemplates = SafeTemplates<TemplateName>;

export function defaultTemplatesDir(): string {
  return packageTemplatesDir('pf');
}

/** Markdown text on one line, with the characters that would start markup escaped. */
function markdownText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`);
}

/** Every helper takes exactly the value it prints; handlebars adds its options object last. */
const HELPERS: Readonly<Record<string, (v: unknown) => string>> = {
  comment: (v) => {
    const t = commentText(str('comment', v));
    return t === '' ? '#' : `# ${t}`;
  },
  macroDef: (v) => {
    const m = v as { name?: unknown; value?: unknown };
    return `${assertName('macro', str('macroDef', m.name), 'macro')} = ${quote(assertName('interface', str('macroDef', m.value), 'macro value'))}`;
  },
  tableDef: (v) => {
    const t = v as PfTableDef;
    const w = ['table', tableRef(str('tableDef', t.name)), 'persist'];
    if (t.file !== null) w.push('file', quote(str('tableDef', t.file), 'table file'));
    if (t.entries !== null && t.entries.length > 0) w.push(`{ ${t.entries.map((e) => checkPrefix(e, `table <${t.name}>`).text).join(', ')} }`);
    return w.join(' ');
  },
  pfStatement: (v) => {
    if (typeof v !== 'object' || v === null || !('kind' in v)) return helperError('pfStatement', v);
    return renderStatement(v as PfStatement);
  },
  setTimeouts: (v) => `set timeout { ${settings('setTimeouts', v)} }`,
  setLimits: (v) => `set limit { ${settings('setLimits', v)} }`,
  address: (v) => checkPrefix(str('address', v), 'table entry').text,
  num: (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : helperError('num', v)),
  text: (v) => {
    const s = str('text', v);
    return /^[A-Za-z0-9 _.,:/+-]*$/.test(s) ? s : helperError('text', v);
  },
  md: (v) => markdownText(str('md', v)),
  code: (v) => {
    const s = str('code', v);
    return /[`\r\n]/.test(s) ? helperError('code', v) : `\`${s}\``;
  },
};

/** `name value, name value` for set timeout/limit; names are pf words, values integers. */
function settings(helper: string, v: unknown): string {
  if (!Array.isArray(v)) return helperError(helper, v);
  return v
    .map((e: unknown) => {
      const [k, n] = e as [unknown, unknown];
      if (typeof k !== 'string' || !/^[a-z][a-z0-9.-]*$/.test(k) || typeof n !== 'number' || !Number.isInteger(n) || n < 0) return helperError(helper, e);
      return `${k} ${n}`;
    })
    .join(', ');
}

export function loadPfTemplates(dir: string = defaultTemplatesDir()): PfTemplates {
  return loadSafeTemplates(dir, TEMPLATE_NAMES, HELPERS, { partials: true });
}
