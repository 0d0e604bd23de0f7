import { isBpf2pfError, type Bpf2pfError } from '../../src/errors.js';

/** The typed error `f` throws; any other outcome (no error, an untyped one) fails the test. */
export function errorOf(f: () => unknown): Bpf2pfError {
  try {
    f();
  } catch (e) {
    if (isBpf2pfError(e)) return e;
    throw e;
  }
  throw new Error('expected a typed error');
}
