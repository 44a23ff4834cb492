/**
 * PostgreSQL migration 2: the analytics projections and their triggers (H8 replaces this placeholder).
 */
export const pgAnalyticsSchema = `SELECT 1;`;
