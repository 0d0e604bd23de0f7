/**
 * Orders strings by UTF-16 code units. Output order must not depend on the machine's
 * locale (localeCompare does, and loading ICU for it also costs ~10 ms at start-up).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
