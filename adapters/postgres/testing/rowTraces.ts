import { openSyncBridge, type SyncBridge } from "../syncBridge.ts";

/**
 * The contracts' "no trace left" check for PostgreSQL: every row of every table of the database,
 * as text, case-folded. The server's files are not read: PostgreSQL keeps an updated row's old
 * version in its table file until VACUUM and in its WAL until the segment is recycled, which no
 * store can erase at once (docs/actor-runtime.md, PostgreSQL). What is checked is that no live row
 * holds it, which is what every process reading the database sees.
 */
export function rowTraceReader(urlOf: (dir: string) => string | undefined) {
  const bridges = new Map<string, SyncBridge>();
  const bridgeOf = (url: string): SyncBridge => {
    let bridge = bridges.get(url);
    if (!bridge) {
      bridge = openSyncBridge(url);
      bridges.set(url, bridge);
    }
    return bridge;
  };
  const traces = (dir: string, wanted: readonly string[]): string[] => {
    const url = urlOf(dir);
    if (url === undefined) throw new Error(`no PostgreSQL database was opened for ${dir}`);
    const bridge = bridgeOf(url);
    const tables = bridge.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    const found: string[] = [];
    for (const { name } of tables) {
      const rows = bridge.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      for (const trace of wanted) {
        const needle = trace.toLowerCase();
        if (rows.some(({ row }) => row.toLowerCase().includes(needle))) found.push(`${name}: ${trace}`);
      }
    }
    return found;
  };
  const close = async (): Promise<void> => {
    for (const bridge of bridges.values()) await bridge.close();
    bridges.clear();
  };
  return { traces, close };
}
