/** The BTF reader's public surface, for the object loader and the CLI. */
export { formatBtfRaw } from './dump.js';
export { CORE_RELO_KINDS, parseBtfExt, type BtfExt, type BtfExtHeader, type BtfExtSection, type CoreRelo, type FuncInfo, type LineInfo } from './ext.js';
export { secinfoAtFieldPos, withDatasecFixups, type DatasecSizeFixup, type DatasecVarFixup, type SecinfoLocation } from './fixups.js';
export { decodeValue, globalsFromBtf, type BtfGlobal, type JsonValue } from './globals.js';
export { btfMapDefinitions, mapDeclarationsFromBtf, type BtfMapDefinition } from './maps.js';
export { parseBtf } from './parse.js';
export { resolveSize, skipModifiers, skipModsAndTypedefs, typeById, underlyingType } from './resolve.js';
export { schemaOf, targetName } from './schema.js';
export { btfString } from './strings.js';
export * from './types.js';
