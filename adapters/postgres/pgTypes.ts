import pg from "pg";

/**
 * How the PostgreSQL store reads column types: BIGINT (epoch ms, seqs, Telegram ids: all below
 * 2^53) as numbers rather than `pg`'s default strings, and NUMERIC as numbers. JSONB stays parsed,
 * as `pg` does by default. Passed per client, so no other user of `pg` in the process is changed.
 */
export const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;
