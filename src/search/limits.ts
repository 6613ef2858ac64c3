/**
 * Bounds of the full-text index and of a search. The body cap keeps a search_docs row (and the FTS5 tokenising work
 * per write) far below D1's 2 MB row limit: 200,000 characters are at most 800 KB of UTF-8. The same number is
 * written into the triggers of migration `search_fts` (SQL cannot import it); a test checks they agree.
 */

/** Characters of an item's text that are indexed (the first ones); longer texts are marked truncated. */
export const SEARCH_BODY_CHARS = 200_000;

/** Longest query accepted, in characters, and most terms in a simple query. */
export const MAX_QUERY_CHARS = 500;
export const MAX_QUERY_TERMS = 32;

/** R2 texts read into the index per queue invocation, and read attempts before a text is marked r2_failed. */
export const R2_FILL_BATCH = 20;
export const R2_FILL_MAX_ATTEMPTS = 5;
