/**
 * Migration 13: the weekly cohort projection (issue 14). Filled in by the cohort work; until then
 * it creates nothing.
 */
export const cohortMigration = `SELECT 1;`;
