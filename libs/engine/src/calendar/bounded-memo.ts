/**
 * A memo of a pure computation, shared by every calendar in the process: zone tables and holiday
 * lists depend only on their key (zone and year, country and year), and many tenants share them.
 * Bounded: past `limit` entries the oldest goes, so a process touching many years or regions
 * keeps a fixed amount.
 */
export function boundedMemo<V>(limit: number): (key: string, compute: () => V) => V {
  const entries = new Map<string, V>();
  return (key, compute) => {
    const found = entries.get(key);
    if (found !== undefined) return found;
    const value = compute();
    if (entries.size >= limit) entries.delete(entries.keys().next().value!);
    entries.set(key, value);
    return value;
  };
}
