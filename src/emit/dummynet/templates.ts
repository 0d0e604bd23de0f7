/**
 * The templates of templates/dummynet and the only helpers they print through:
 * `comment` (encoded `#` lines) and `dnctlPipe` (a `pipe N config ...` command whose
 * every value is checked here, at the last moment, against dummynet's limits).
 */
import { checkPipeNumber } from '../pf/limits.js';
import { commentLines, helperError, loadSafeTemplates, packageTemplatesDir, stringArg, type SafeTemplates, type TemplateHelper } from '../safe-templates.js';
import type { DnctlPipeConfig } from './build.js';
import { bwText, checkBurst, checkDelay } from './limits.js';

export const DUMMYNET_TEMPLATE_NAMES = ['dummynet.conf'] as const;
export type DummynetTemplateName = (typeof DUMMYNET_TEMPLATE_NAMES)[number];
export type DummynetTemplates = SafeTemplates<DummynetTemplateName>;

/** `pipe N config bw B [delay D] [burst S]`. */
export function dnctlPipeCommand(c: DnctlPipeConfig): string {
  const what = `pipe ${c.number}`;
  const w = ['pipe', String(checkPipeNumber(c.number, what)), 'config', 'bw', bwText(c.bitsPerSecond)];
  if (c.delayMs !== null) w.push('delay', String(checkDelay(c.delayMs, what)));
  if (c.burstBytes !== null) w.push('burst', String(checkBurst(c.burstBytes, what)));
  return w.join(' ');
}

const HELPERS: Readonly<Record<string, TemplateHelper>> = {
  comment: (v) => commentLines(stringArg('comment', v)),
  dnctlPipe: (v) => {
    if (typeof v !== 'object' || v === null || !('number' in v) || !('bitsPerSecond' in v)) return helperError('dnctlPipe', v);
    return dnctlPipeCommand(v as DnctlPipeConfig);
  },
};

export function defaultDummynetTemplatesDir(): string {
  return packageTemplatesDir('dummynet');
}

export function loadDummynetTemplates(dir: string = defaultDummynetTemplatesDir()): DummynetTemplates {
  return loadSafeTemplates(dir, DUMMYNET_TEMPLATE_NAMES, HELPERS);
}
