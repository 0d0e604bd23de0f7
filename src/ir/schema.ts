/**
 * JSON Schema (draft 2020-12) of PolicyIR, field for field what src/ir/types.ts declares:
 * every object closed (`additionalProperties: false`), every optional field optional,
 * every union a `oneOf` on its discriminator. It states the shape only; what needs more
 * than one field to judge (references that must resolve, scopes that must fit, a pass rule
 * without provenance) is validateIr's (src/ir/validate-refs.ts). Names share their
 * patterns with the validator (src/ir/patterns.ts).
 */
import { IR_VERSION } from './types.js';
import { IR_LIMITS, IR_PATTERNS, type IrPatternName } from './patterns.js';

export type JsonSchema = { readonly [key: string]: JsonSchemaValue };
export type JsonSchemaValue = string | number | boolean | null | readonly JsonSchemaValue[] | JsonSchema;

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const str = (pattern?: IrPatternName): JsonSchema => (pattern ? { type: 'string', pattern: IR_PATTERNS[pattern] } : { type: 'string' });
const text = (): JsonSchema => ({ type: 'string', minLength: 1, pattern: IR_PATTERNS.singleLine });
const int = (minimum: number, maximum?: number): JsonSchema => (maximum === undefined ? { type: 'integer', minimum } : { type: 'integer', minimum, maximum });
const arr = (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ type: 'array', items, ...extra });
const enumOf = (...values: string[]): JsonSchema => ({ enum: values });
const nullable = (s: JsonSchema): JsonSchema => ({ oneOf: [s, { type: 'null' }] });

/** A closed object: `required` must be there, `optional` may be, nothing else. */
function obj(required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    properties: { ...required, ...optional },
    required: Object.keys(required),
    additionalProperties: false,
  };
}

const port = int(0, IR_LIMITS.maxPort);
const byte = int(0, IR_LIMITS.maxByte);
const sourceLine = obj({ file: { type: 'string' }, line: int(0) });
const findingSource = obj({ file: { type: 'string' }, line: int(0), text: { type: 'string' } });

export const POLICY_IR_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://bpf2pf.invalid/schema/policy-ir-v1.json',
  title: 'bpf2pf PolicyIR',
  ...obj({
    version: { const: IR_VERSION },
    target: ref('target'),
    inputs: arr(ref('input')),
    interfaces: arr(ref('interface')),
    sets: arr(ref('set')),
    families: arr(ref('family')),
    rules: arr(ref('rule')),
    pipes: arr(ref('pipe')),
    classifiers: arr(ref('classifier')),
    state: ref('state'),
    controlPlane: arr(ref('controlPlane')),
    findings: arr(ref('finding')),
    coverage: arr(ref('coverage')),
  }),
  $defs: {
    target: obj({ os: { const: 'freebsd' }, release: str('release') }),
    input: obj({ object: { type: 'string', minLength: 1 }, sha256: str('sha256'), programs: arr({ type: 'string', minLength: 1 }) }),
    interface: obj({
      name: str('macroName'),
      freebsd: str('ifName'),
      group: { type: 'boolean' },
      ifindex: nullable(int(1, IR_LIMITS.maxIfindex)),
    }),
    scope: {
      oneOf: [obj({ kind: { const: 'global' } }), obj({ kind: { const: 'family' }, family: str('anchorName') })],
    },
    set: obj({
      name: str('tableName'),
      scope: ref('scope'),
      source: obj({ map: text(), keyField: text(), inner: { type: 'boolean' } }),
      element: enumOf('ipv4', 'ipv6'),
      valueCondition: nullable(text()),
      contents: arr(str('tableEntryText')),
    }),
    family: obj({
      name: str('anchorName'),
      keyedBy: obj({ map: text(), keyField: text() }),
      interface: str('macroName'),
      instances: arr(ref('familyInstance')),
    }),
    familyInstance: obj({
      key: str('hexBytes'),
      ifindex: int(1, IR_LIMITS.maxIfindex),
      name: str('anchorName'),
      interface: str('ifName'),
      values: { type: 'object', propertyNames: str('fieldName'), additionalProperties: { type: 'string' } },
      sets: { type: 'object', propertyNames: str('tableName'), additionalProperties: arr({ type: 'string' }) },
    }),
    address: {
      oneOf: [
        obj({ kind: { const: 'any' } }),
        obj({ kind: { const: 'cidr' }, cidr: str('prefixText') }),
        obj({ kind: { const: 'set' }, set: str('tableName') }),
        obj({ kind: { const: 'familyValue' }, field: str('fieldName') }),
        obj({ kind: { const: 'interface' }, interface: str('macroName') }),
      ],
    },
    addressMatch: obj({ address: ref('address'), negate: { type: 'boolean' } }),
    portMatch: {
      oneOf: [
        obj({ op: enumOf('eq', 'ne', 'lt', 'le', 'gt', 'ge'), port }),
        obj({ op: { const: 'range' }, from: port, to: port }),
        obj({ op: { const: 'familySet' }, set: str('tableName') }),
      ],
    },
    match: obj(
      {},
      {
        af: enumOf('inet', 'inet6'),
        proto: arr(int(1, IR_LIMITS.maxByte), { minItems: 1, uniqueItems: true }),
        src: ref('addressMatch'),
        dst: ref('addressMatch'),
        srcPort: ref('portMatch'),
        dstPort: ref('portMatch'),
        tcpFlags: obj({ set: byte, mask: byte }),
        icmpType: obj({ type: byte }, { code: byte }),
        tagged: obj({ tag: str('tagName'), negate: { type: 'boolean' } }),
        fragment: { type: 'boolean' },
      },
    ),
    translation: {
      oneOf: [
        obj({ kind: { const: 'nat' }, to: ref('address') }, { ports: obj({ from: port, to: port }), staticPort: { type: 'boolean' } }),
        obj({ kind: { const: 'rdr' }, to: ref('address') }, { port }),
        obj({ kind: { const: 'binat' }, to: ref('address') }),
      ],
    },
    route: obj(
      {
        interface: {
          oneOf: [obj({ kind: { const: 'interface' }, name: str('macroName') }), obj({ kind: { const: 'familyInterface' } }), obj({ kind: { const: 'instance' }, ifindex: int(1, IR_LIMITS.maxIfindex) })],
        },
      },
      { nexthop: str('prefixText') },
    ),
    fidelity: {
      oneOf: [obj({ level: { const: 'exact' } }), obj({ level: { const: 'approximate' }, reason: text() })],
    },
    provenance: obj({
      object: text(),
      program: text(),
      section: text(),
      slots: arr(int(0)),
      sources: arr(sourceLine),
    }),
    rule: obj(
      {
        id: str('ruleId'),
        program: text(),
        scope: ref('scope'),
        interface: str('macroName'),
        direction: enumOf('in', 'out'),
        action: enumOf('pass', 'block', 'match'),
        quick: { type: 'boolean' },
        match: ref('match'),
        translations: arr(ref('translation')),
        keepState: { type: 'boolean' },
        fidelity: ref('fidelity'),
        provenance: arr(ref('provenance')),
        note: { type: 'string', pattern: IR_PATTERNS.singleLine },
      },
      { routeTo: ref('route'), tag: str('tagName'), dnpipe: int(1, IR_LIMITS.maxPipe), allowOpts: { type: 'boolean' } },
    ),
    pipe: obj(
      {
        id: int(1, IR_LIMITS.maxPipe),
        scope: ref('scope'),
        name: text(),
        rate: {
          oneOf: [
            obj({ kind: { const: 'map' }, map: text(), field: str('fieldName') }),
            obj({ kind: { const: 'const' }, bytesPerSecond: { type: 'number', minimum: 0 } }),
          ],
        },
        fidelity: ref('fidelity'),
      },
      { burstBytes: int(0), delayMs: int(0) },
    ),
    classifier: obj({
      name: str('classifierName'),
      scope: ref('scope'),
      interface: str('macroName'),
      hook: enumOf('lower', 'upper'),
      predicate: { type: 'string', minLength: 1 },
      onMatch: enumOf('pass', 'drop'),
      onMiss: enumOf('pass', 'drop'),
      fidelity: ref('fidelity'),
      provenance: arr(ref('provenance')),
    }),
    state: obj({
      timeouts: { type: 'object', propertyNames: str('timeoutName'), additionalProperties: int(0) },
      limits: { type: 'object', propertyNames: str('limitName'), additionalProperties: int(0) },
      reassemble: { type: 'boolean' },
    }),
    controlPlane: obj({
      map: text(),
      role: text(),
      operations: arr(obj({ change: enumOf('insert', 'delete', 'replace'), becomes: { type: 'string', minLength: 1 } })),
    }),
    finding: obj({
      code: str('findingCode'),
      severity: enumOf('error', 'warning', 'info'),
      message: { type: 'string', minLength: 1 },
      object: nullable({ type: 'string' }),
      program: nullable({ type: 'string' }),
      section: nullable({ type: 'string' }),
      slot: nullable(int(0)),
      source: nullable(findingSource),
      construct: { type: 'string' },
      suggestion: { type: 'string' },
    }),
    coverage: obj({
      object: text(),
      program: text(),
      paths: obj({ total: int(0), exact: int(0), approximate: int(0), untranslated: int(0) }),
      instructions: obj({ total: int(0), covered: int(0) }),
    }),
  },
};
