/**
 * The shape of a PolicyIR, type by type as src/ir/types.ts declares it: required and
 * optional fields, no others, enums, integer ranges, name patterns. The same contract as
 * the JSON Schema (src/ir/schema.ts), written out by hand so that each can check the
 * other (test/ir/schema.test.ts). An optional field holding `undefined` counts as absent,
 * as it does once written as JSON.
 */
import {
  at,
  checkArray,
  checkBoolean,
  checkEnum,
  checkInteger,
  checkNumber,
  checkObject,
  checkRecord,
  checkString,
  checkText,
  checkUnion,
  report,
  type Problems,
} from './check-shape.js';
import { IR_LIMITS } from './patterns.js';
import { IR_VERSION } from './types.js';

type Fields = Record<string, unknown>;
type Check = (p: Problems, path: string, x: unknown) => void;

/** Runs `check` on an optional field when it is there. */
function optional(p: Problems, path: string, x: Fields, key: string, check: Check): void {
  if (x[key] !== undefined) check(p, at(path, key), x[key]);
}

const port: Check = (p, path, x) => void checkInteger(p, path, x, 0, IR_LIMITS.maxPort);
const byte: Check = (p, path, x) => void checkInteger(p, path, x, 0, IR_LIMITS.maxByte);
const nonNegative: Check = (p, path, x) => void checkInteger(p, path, x, 0);
const bool: Check = (p, path, x) => void checkBoolean(p, path, x);
const text: Check = (p, path, x) => void checkText(p, path, x);

function nullable(check: Check): Check {
  return (p, path, x) => {
    if (x !== null) check(p, path, x);
  };
}

export function checkPolicyShape(p: Problems, x: unknown): void {
  const path = '$';
  const keys = ['version', 'target', 'inputs', 'interfaces', 'sets', 'families', 'rules', 'pipes', 'classifiers', 'state', 'controlPlane', 'findings', 'coverage'];
  if (!checkObject(p, path, x, keys)) return;
  if (x.version !== IR_VERSION) report(p, at(path, 'version'), `expected ${IR_VERSION}, got ${JSON.stringify(x.version)}`);
  checkTarget(p, at(path, 'target'), x.target);
  checkArray(p, at(path, 'inputs'), x.inputs, (q, i) => checkInput(p, q, i));
  checkArray(p, at(path, 'interfaces'), x.interfaces, (q, i) => checkInterface(p, q, i));
  checkArray(p, at(path, 'sets'), x.sets, (q, i) => checkSet(p, q, i));
  checkArray(p, at(path, 'families'), x.families, (q, i) => checkFamily(p, q, i));
  checkArray(p, at(path, 'rules'), x.rules, (q, i) => checkRule(p, q, i));
  checkArray(p, at(path, 'pipes'), x.pipes, (q, i) => checkPipe(p, q, i));
  checkArray(p, at(path, 'classifiers'), x.classifiers, (q, i) => checkClassifier(p, q, i));
  checkState(p, at(path, 'state'), x.state);
  checkArray(p, at(path, 'controlPlane'), x.controlPlane, (q, i) => checkControlPlane(p, q, i));
  checkArray(p, at(path, 'findings'), x.findings, (q, i) => checkFinding(p, q, i));
  checkArray(p, at(path, 'coverage'), x.coverage, (q, i) => checkCoverage(p, q, i));
}

function checkTarget(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['os', 'release'])) return;
  checkEnum(p, at(path, 'os'), x.os, ['freebsd']);
  checkString(p, at(path, 'release'), x.release, 'release');
}

function checkInput(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['object', 'sha256', 'programs'])) return;
  checkString(p, at(path, 'object'), x.object, undefined, 1);
  checkString(p, at(path, 'sha256'), x.sha256, 'sha256');
  checkArray(p, at(path, 'programs'), x.programs, (q, s) => checkString(p, q, s, undefined, 1));
}

function checkInterface(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['name', 'freebsd', 'group', 'ifindex'])) return;
  checkString(p, at(path, 'name'), x.name, 'macroName');
  checkString(p, at(path, 'freebsd'), x.freebsd, 'ifName');
  checkBoolean(p, at(path, 'group'), x.group);
  nullable((q, r, v) => checkInteger(q, r, v, 1, IR_LIMITS.maxIfindex))(p, at(path, 'ifindex'), x.ifindex);
}

export function checkScope(p: Problems, path: string, x: unknown): void {
  checkUnion(p, path, x, 'kind', {
    global: (s) => checkObject(p, path, s, ['kind']),
    family: (s) => {
      if (checkObject(p, path, s, ['kind', 'family'])) checkString(p, at(path, 'family'), s.family, 'anchorName');
    },
  });
}

function checkSet(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['name', 'scope', 'source', 'element', 'valueCondition', 'contents'])) return;
  checkString(p, at(path, 'name'), x.name, 'tableName');
  checkScope(p, at(path, 'scope'), x.scope);
  const source = at(path, 'source');
  if (checkObject(p, source, x.source, ['map', 'keyField', 'inner'])) {
    checkText(p, at(source, 'map'), x.source.map);
    checkText(p, at(source, 'keyField'), x.source.keyField);
    checkBoolean(p, at(source, 'inner'), x.source.inner);
  }
  checkEnum(p, at(path, 'element'), x.element, ['ipv4', 'ipv6']);
  nullable(text)(p, at(path, 'valueCondition'), x.valueCondition);
  checkArray(p, at(path, 'contents'), x.contents, (q, e) => checkString(p, q, e, 'tableEntryText'));
}

function checkFamily(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['name', 'keyedBy', 'interface', 'instances'])) return;
  checkString(p, at(path, 'name'), x.name, 'anchorName');
  const keyedBy = at(path, 'keyedBy');
  if (checkObject(p, keyedBy, x.keyedBy, ['map', 'keyField'])) {
    checkText(p, at(keyedBy, 'map'), x.keyedBy.map);
    checkText(p, at(keyedBy, 'keyField'), x.keyedBy.keyField);
  }
  checkString(p, at(path, 'interface'), x.interface, 'macroName');
  checkArray(p, at(path, 'instances'), x.instances, (q, i) => checkInstance(p, q, i));
}

function checkInstance(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['key', 'ifindex', 'name', 'interface', 'values', 'sets'])) return;
  checkString(p, at(path, 'key'), x.key, 'hexBytes');
  checkInteger(p, at(path, 'ifindex'), x.ifindex, 1, IR_LIMITS.maxIfindex);
  checkString(p, at(path, 'name'), x.name, 'anchorName');
  checkString(p, at(path, 'interface'), x.interface, 'ifName');
  checkRecord(p, at(path, 'values'), x.values, 'fieldName', (q, v) => checkString(p, q, v));
  checkRecord(p, at(path, 'sets'), x.sets, 'tableName', (q, v) => checkArray(p, q, v, (r, e) => checkString(p, r, e)));
}

export function checkAddress(p: Problems, path: string, x: unknown): void {
  const fields = (s: Fields, key: string, check: () => void): void => {
    if (checkObject(p, path, s, key ? ['kind', key] : ['kind'])) check();
  };
  checkUnion(p, path, x, 'kind', {
    any: (s) => fields(s, '', () => undefined),
    cidr: (s) => fields(s, 'cidr', () => checkString(p, at(path, 'cidr'), s.cidr, 'prefixText')),
    set: (s) => fields(s, 'set', () => checkString(p, at(path, 'set'), s.set, 'tableName')),
    familyValue: (s) => fields(s, 'field', () => checkString(p, at(path, 'field'), s.field, 'fieldName')),
    interface: (s) => fields(s, 'interface', () => checkString(p, at(path, 'interface'), s.interface, 'macroName')),
  });
}

function checkAddressMatch(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['address', 'negate'])) return;
  checkAddress(p, at(path, 'address'), x.address);
  checkBoolean(p, at(path, 'negate'), x.negate);
}

function checkPortMatch(p: Problems, path: string, x: unknown): void {
  const unary = (s: Fields): void => {
    if (checkObject(p, path, s, ['op', 'port'])) port(p, at(path, 'port'), s.port);
  };
  checkUnion(p, path, x, 'op', {
    eq: unary,
    ne: unary,
    lt: unary,
    le: unary,
    gt: unary,
    ge: unary,
    range: (s) => {
      if (!checkObject(p, path, s, ['op', 'from', 'to'])) return;
      port(p, at(path, 'from'), s.from);
      port(p, at(path, 'to'), s.to);
    },
    familySet: (s) => {
      if (checkObject(p, path, s, ['op', 'set'])) checkString(p, at(path, 'set'), s.set, 'tableName');
    },
  });
}

function checkMatch(p: Problems, path: string, x: unknown): void {
  const keys = ['af', 'proto', 'src', 'dst', 'srcPort', 'dstPort', 'tcpFlags', 'icmpType', 'tagged', 'fragment'];
  if (!checkObject(p, path, x, [], keys)) return;
  optional(p, path, x, 'af', (q, r, v) => checkEnum(q, r, v, ['inet', 'inet6']));
  optional(p, path, x, 'proto', (q, r, v) => {
    const seen = new Set<unknown>();
    checkArray(q, r, v, (s, n) => {
      if (checkInteger(q, s, n, 1, IR_LIMITS.maxByte) && seen.has(n)) report(q, s, `protocol ${String(n)} is listed twice`);
      seen.add(n);
    }, 1);
  });
  optional(p, path, x, 'src', checkAddressMatch);
  optional(p, path, x, 'dst', checkAddressMatch);
  optional(p, path, x, 'srcPort', checkPortMatch);
  optional(p, path, x, 'dstPort', checkPortMatch);
  optional(p, path, x, 'tcpFlags', (q, r, v) => {
    if (!checkObject(q, r, v, ['set', 'mask'])) return;
    byte(q, at(r, 'set'), v.set);
    byte(q, at(r, 'mask'), v.mask);
  });
  optional(p, path, x, 'icmpType', (q, r, v) => {
    if (!checkObject(q, r, v, ['type'], ['code'])) return;
    byte(q, at(r, 'type'), v.type);
    optional(q, r, v, 'code', byte);
  });
  optional(p, path, x, 'tagged', (q, r, v) => {
    if (!checkObject(q, r, v, ['tag', 'negate'])) return;
    checkString(q, at(r, 'tag'), v.tag, 'tagName');
    checkBoolean(q, at(r, 'negate'), v.negate);
  });
  optional(p, path, x, 'fragment', bool);
}

function checkTranslation(p: Problems, path: string, x: unknown): void {
  checkUnion(p, path, x, 'kind', {
    nat: (s) => {
      if (!checkObject(p, path, s, ['kind', 'to'], ['ports', 'staticPort'])) return;
      optional(p, path, s, 'staticPort', (q, r, v) => void checkBoolean(q, r, v));
      checkAddress(p, at(path, 'to'), s.to);
      optional(p, path, s, 'ports', (q, r, v) => {
        if (!checkObject(q, r, v, ['from', 'to'])) return;
        port(q, at(r, 'from'), v.from);
        port(q, at(r, 'to'), v.to);
      });
    },
    rdr: (s) => {
      if (!checkObject(p, path, s, ['kind', 'to'], ['port'])) return;
      checkAddress(p, at(path, 'to'), s.to);
      optional(p, path, s, 'port', port);
    },
    binat: (s) => {
      if (checkObject(p, path, s, ['kind', 'to'])) checkAddress(p, at(path, 'to'), s.to);
    },
  });
}

function checkRoute(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['interface'], ['nexthop'])) return;
  const ifPath = at(path, 'interface');
  checkUnion(p, ifPath, x.interface, 'kind', {
    interface: (s) => {
      if (checkObject(p, ifPath, s, ['kind', 'name'])) checkString(p, at(ifPath, 'name'), s.name, 'macroName');
    },
    familyInterface: (s) => checkObject(p, ifPath, s, ['kind']),
    instance: (s) => {
      if (checkObject(p, ifPath, s, ['kind', 'ifindex'])) checkInteger(p, at(ifPath, 'ifindex'), s.ifindex, 1, IR_LIMITS.maxIfindex);
    },
  });
  optional(p, path, x, 'nexthop', (q, r, v) => checkString(q, r, v, 'prefixText'));
}

function checkFidelity(p: Problems, path: string, x: unknown): void {
  checkUnion(p, path, x, 'level', {
    exact: (s) => checkObject(p, path, s, ['level']),
    approximate: (s) => {
      if (checkObject(p, path, s, ['level', 'reason'])) checkText(p, at(path, 'reason'), s.reason);
    },
  });
}

function checkSourceLine(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['file', 'line'])) return;
  checkString(p, at(path, 'file'), x.file);
  nonNegative(p, at(path, 'line'), x.line);
}

function checkFindingSource(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['file', 'line', 'text'])) return;
  checkString(p, at(path, 'file'), x.file);
  nonNegative(p, at(path, 'line'), x.line);
  checkString(p, at(path, 'text'), x.text);
}

function checkProvenance(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['object', 'program', 'section', 'slots', 'sources'])) return;
  for (const k of ['object', 'program', 'section'] as const) checkText(p, at(path, k), x[k]);
  checkArray(p, at(path, 'slots'), x.slots, (q, s) => nonNegative(p, q, s));
  checkArray(p, at(path, 'sources'), x.sources, (q, s) => checkSourceLine(p, q, s));
}

function checkRule(p: Problems, path: string, x: unknown): void {
  const required = ['id', 'program', 'scope', 'interface', 'direction', 'action', 'quick', 'match', 'translations', 'keepState', 'fidelity', 'provenance', 'note'];
  if (!checkObject(p, path, x, required, ['routeTo', 'tag', 'dnpipe', 'allowOpts'])) return;
  optional(p, path, x, 'allowOpts', (q, r, v) => void checkBoolean(q, r, v));
  checkString(p, at(path, 'id'), x.id, 'ruleId');
  checkText(p, at(path, 'program'), x.program);
  checkScope(p, at(path, 'scope'), x.scope);
  checkString(p, at(path, 'interface'), x.interface, 'macroName');
  checkEnum(p, at(path, 'direction'), x.direction, ['in', 'out']);
  checkEnum(p, at(path, 'action'), x.action, ['pass', 'block', 'match']);
  checkBoolean(p, at(path, 'quick'), x.quick);
  checkMatch(p, at(path, 'match'), x.match);
  checkArray(p, at(path, 'translations'), x.translations, (q, t) => checkTranslation(p, q, t));
  optional(p, path, x, 'routeTo', checkRoute);
  optional(p, path, x, 'tag', (q, r, v) => checkString(q, r, v, 'tagName'));
  optional(p, path, x, 'dnpipe', (q, r, v) => checkInteger(q, r, v, 1, IR_LIMITS.maxPipe));
  checkBoolean(p, at(path, 'keepState'), x.keepState);
  checkFidelity(p, at(path, 'fidelity'), x.fidelity);
  checkArray(p, at(path, 'provenance'), x.provenance, (q, v) => checkProvenance(p, q, v));
  checkString(p, at(path, 'note'), x.note, 'singleLine');
}

function checkPipe(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['id', 'scope', 'name', 'rate', 'fidelity'], ['burstBytes', 'delayMs'])) return;
  checkInteger(p, at(path, 'id'), x.id, 1, IR_LIMITS.maxPipe);
  checkScope(p, at(path, 'scope'), x.scope);
  checkText(p, at(path, 'name'), x.name);
  const rate = at(path, 'rate');
  checkUnion(p, rate, x.rate, 'kind', {
    map: (s) => {
      if (!checkObject(p, rate, s, ['kind', 'map', 'field'])) return;
      checkText(p, at(rate, 'map'), s.map);
      checkString(p, at(rate, 'field'), s.field, 'fieldName');
    },
    const: (s) => {
      if (checkObject(p, rate, s, ['kind', 'bytesPerSecond'])) checkNumber(p, at(rate, 'bytesPerSecond'), s.bytesPerSecond, 0);
    },
  });
  optional(p, path, x, 'burstBytes', nonNegative);
  optional(p, path, x, 'delayMs', nonNegative);
  checkFidelity(p, at(path, 'fidelity'), x.fidelity);
}

function checkClassifier(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['name', 'scope', 'interface', 'hook', 'predicate', 'onMatch', 'onMiss', 'fidelity', 'provenance'])) return;
  checkString(p, at(path, 'name'), x.name, 'classifierName');
  checkScope(p, at(path, 'scope'), x.scope);
  checkString(p, at(path, 'interface'), x.interface, 'macroName');
  checkEnum(p, at(path, 'hook'), x.hook, ['lower', 'upper']);
  checkString(p, at(path, 'predicate'), x.predicate, undefined, 1);
  checkEnum(p, at(path, 'onMatch'), x.onMatch, ['pass', 'drop']);
  checkEnum(p, at(path, 'onMiss'), x.onMiss, ['pass', 'drop']);
  checkFidelity(p, at(path, 'fidelity'), x.fidelity);
  checkArray(p, at(path, 'provenance'), x.provenance, (q, v) => checkProvenance(p, q, v));
}

function checkState(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['timeouts', 'limits', 'reassemble'])) return;
  checkRecord(p, at(path, 'timeouts'), x.timeouts, 'timeoutName', (q, v) => nonNegative(p, q, v));
  checkRecord(p, at(path, 'limits'), x.limits, 'limitName', (q, v) => nonNegative(p, q, v));
  checkBoolean(p, at(path, 'reassemble'), x.reassemble);
}

function checkControlPlane(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['map', 'role', 'operations'])) return;
  checkText(p, at(path, 'map'), x.map);
  checkText(p, at(path, 'role'), x.role);
  checkArray(p, at(path, 'operations'), x.operations, (q, o) => {
    if (!checkObject(p, q, o, ['change', 'becomes'])) return;
    checkEnum(p, at(q, 'change'), o.change, ['insert', 'delete', 'replace']);
    checkString(p, at(q, 'becomes'), o.becomes, undefined, 1);
  });
}

function checkFinding(p: Problems, path: string, x: unknown): void {
  const keys = ['code', 'severity', 'message', 'object', 'program', 'section', 'slot', 'source', 'construct', 'suggestion'];
  if (!checkObject(p, path, x, keys)) return;
  checkString(p, at(path, 'code'), x.code, 'findingCode');
  checkEnum(p, at(path, 'severity'), x.severity, ['error', 'warning', 'info']);
  checkString(p, at(path, 'message'), x.message, undefined, 1);
  for (const k of ['object', 'program', 'section'] as const) nullable((q, r, v) => checkString(q, r, v))(p, at(path, k), x[k]);
  nullable(nonNegative)(p, at(path, 'slot'), x.slot);
  nullable((q, r, v) => checkFindingSource(q, r, v))(p, at(path, 'source'), x.source);
  checkString(p, at(path, 'construct'), x.construct);
  checkString(p, at(path, 'suggestion'), x.suggestion);
}

function checkCoverage(p: Problems, path: string, x: unknown): void {
  if (!checkObject(p, path, x, ['object', 'program', 'paths', 'instructions'])) return;
  checkText(p, at(path, 'object'), x.object);
  checkText(p, at(path, 'program'), x.program);
  const paths = at(path, 'paths');
  if (checkObject(p, paths, x.paths, ['total', 'exact', 'approximate', 'untranslated'])) {
    for (const k of ['total', 'exact', 'approximate', 'untranslated'] as const) nonNegative(p, at(paths, k), x.paths[k]);
  }
  const insns = at(path, 'instructions');
  if (checkObject(p, insns, x.instructions, ['total', 'covered'])) {
    for (const k of ['total', 'covered'] as const) nonNegative(p, at(insns, k), x.instructions[k]);
  }
}
