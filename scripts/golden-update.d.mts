// Types of what the tests import from golden-update.mjs (tsconfig.test.json checks them).

/** The Coppice translate command line, without `-o`. */
export declare const COPPICE_TRANSLATE: readonly string[];

/** Every golden output: `dir` relative to the repository, `args` the translate command line without `-o`. */
export declare function goldenCases(): { name: string; dir: string; args: readonly string[] }[];

/** The top-level golden trees the cases live in. */
export declare const GOLDEN_ROOTS: readonly string[];
