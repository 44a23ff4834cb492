/**
 * Migration 14: the weekly lifecycle projection (issue 14). Filled in by the lifecycle work; until
 * then it creates nothing.
 */
export const lifecycleMigration = `SELECT 1;`;
