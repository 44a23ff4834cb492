/**
 * The two shapes every projection trigger of PostgreSQL migration 2 takes, so that each one reads as
 * its SQLite twin: a PL/pgSQL function that writes the projection (an AFTER trigger's result is
 * ignored, hence RETURN NULL), and a row trigger with the twin's event and WHEN clause.
 */

/** `CREATE OR REPLACE FUNCTION name() RETURNS trigger` running `body` (PL/pgSQL statements) with `declare`d variables. */
export const triggerFunction = (name: string, body: string, declare = ""): string => `
  CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
  ${declare === "" ? "" : `DECLARE ${declare}`}
  BEGIN
    ${body}
    RETURN NULL;
  END $fn$;`;

/**
 * An AFTER … FOR EACH ROW trigger: `event` is e.g. "UPDATE OF tags ON crm_leads", `when` a condition on
 * OLD/NEW only (or null), `args` string literals the function reads as TG_ARGV. Created or replaced.
 */
export const afterRow = (name: string, event: string, when: string | null, fn: string, args: readonly string[] = []): string =>
  `CREATE OR REPLACE TRIGGER ${name} AFTER ${event} FOR EACH ROW${when === null ? "" : ` WHEN (${when})`} EXECUTE FUNCTION ${fn}(${args.map((arg) => `'${arg}'`).join(", ")});`;

/**
 * The same row trigger fired at COMMIT instead of at its statement (a constraint trigger, deferred):
 * a counter row it updates is locked only while the unit commits, not across the unit's round trips.
 */
export const deferredRow = (name: string, event: string, when: string | null, fn: string): string =>
  `CREATE CONSTRAINT TRIGGER ${name} AFTER ${event} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW${when === null ? "" : ` WHEN (${when})`} EXECUTE FUNCTION ${fn}();`;
