import { afterEach } from 'vitest';

/**
 * Lets the worker's event loop run between tests. Many tests block it on purpose (spawnSync
 * of the CLI, a synchronous lift); vitest's worker talks to its runner over RPC and fails
 * the run ("Timeout calling onTaskUpdate") when no reply gets through for 60 s, which a file
 * of several 10-15 s synchronous tests reaches without any single test being slow. Awaiting a
 * macrotask after each test lets the replies in.
 */
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
