// Types of what the tests import from corpus-build.mjs (tsconfig.test.json checks them).

/** The default Coppice objects, each a byte copy of one build. */
export declare function defaultObjects(): { object: string; copyOf: string }[];
