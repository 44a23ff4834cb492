/**
 * Lead search on PostgreSQL's own text search, matching the SQLite store's FTS5 prefix search.
 *
 * A lead's words are `crm_leads.search_text` (actors/searchQuery.ts `leadSearchText`: case-folded,
 * Latin diacritics removed, letters split from digits, phone digits with their last 10, 7 and 4).
 * The document, `crm_leads.search_vector` (adapters/postgres/pgSchema.ts, under a GIN index), is
 * those words through the 'simple' configuration (each word as it is: what FTS5 indexes) followed
 * by their Russian and English stems. A query word matches when it starts a word (`'word':*`,
 * FTS5's `"word"*`) or when its own Russian or English stem is one of the lead's stems: so every
 * lead SQLite finds is found, and also other forms of a word ("оптовая" for "оптовый"), never a
 * different word that merely starts like a stem ("оптовик" is not found by "оптовый").
 */

/** A word as a prefix query of itself, in tsquery's own syntax (no parser: the word is the lexeme). */
export const prefixQuery = (word: string): string => `'${word.replaceAll("\\", "\\\\").replaceAll("'", "''")}':*`;

/**
 * The tsquery of a search's words, as SQL over bound values: for word i, `$p` is its prefix query
 * and `$s` the word itself (stemmed by `plainto_tsquery`, which reads plain text, so a word can
 * never be taken as an operator). All words must match.
 */
export function searchQuerySql(words: readonly string[], firstParam: number): { readonly sql: string; readonly values: string[] } {
  const values: string[] = [];
  const parts = words.map((word, i) => {
    const p = firstParam + 2 * i;
    values.push(prefixQuery(word), word);
    return `($${p}::tsquery || plainto_tsquery('russian'::regconfig, $${p + 1}) || plainto_tsquery('english'::regconfig, $${p + 1}))`;
  });
  return { sql: parts.length === 0 ? "''::tsquery" : parts.join(" && "), values };
}
