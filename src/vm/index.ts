/**
 * The concrete interpreter: eBPF programs run on one packet with the kernel's semantics
 * (BPF_PROG_TEST_RUN's skb and xdp_buff, maps, helpers). See README.md in this folder.
 */
export { createMapStore, type MapStore, type TaintedValue, type TimerState } from './maps/store.js';
export { dumpMaps } from './maps/dump.js';
export { runProgram } from './run/run-program.js';
export {
  LOOPBACK,
  type FibAnswer,
  type FibRequest,
  type HelperCallRecord,
  type RedirectKind,
  type TimeDerivedMapBytes,
  type VmDevice,
  type VmOptions,
  type VmResult,
  type VmSocket,
} from './options.js';
export type { MapModel } from './maps/model.js';
export { implementedHelpers } from './helpers/registry.js';
