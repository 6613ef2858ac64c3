-- Full-text search (hand-written: drizzle-kit cannot express FTS5 virtual tables or triggers).
--
-- search_fts is an external-content FTS5 index over search_docs (title, body), which the triggers below keep in
-- step with items in the same statement that writes an item: an insert or a real change of title/text/text_key
-- re-indexes it, a tombstone (deleted_at set) or a hard delete removes it, a restore puts it back. The sync write
-- path therefore needs no change, and a batch that rolls back takes its index changes with it.
--
-- Indexed: every live item except module items that merely point at another mirrored object (only ExternalUrl and
-- ExternalTool module items carry content of their own). The body is the item's inline text capped at 200,000
-- characters (SEARCH_BODY_CHARS in src/search/limits.ts); a text kept in R2 (text_key) starts as 'r2_pending' with
-- an empty body and is filled in by the queue path (src/search/index-r2-texts.ts). Every expression guards against
-- NULL and malformed JSON so a trigger can never make a sync write fail.
CREATE VIRTUAL TABLE `search_fts` USING fts5(
  title, body,
  content = 'search_docs', content_rowid = 'doc_id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `search_docs` (item_id, course_id, type, title, body, text_key, body_status, body_truncated, indexed_at)
SELECT id, course_id, type, COALESCE(title, ''), substr(COALESCE(text, ''), 1, 200000), text_key,
  CASE WHEN text_key IS NOT NULL THEN 'r2_pending' WHEN COALESCE(text, '') <> '' THEN 'inline' ELSE 'none' END,
  length(COALESCE(text, '')) > 200000, changed_at
FROM items
WHERE deleted_at IS NULL AND (type <> 'module_item'
  OR (json_valid(data) AND json_extract(data, '$.type') IN ('ExternalUrl', 'ExternalTool')));
--> statement-breakpoint
INSERT INTO `search_fts` (search_fts) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `search_docs_ai` AFTER INSERT ON `search_docs` BEGIN
  INSERT INTO search_fts (rowid, title, body) VALUES (NEW.doc_id, NEW.title, NEW.body);
END;
--> statement-breakpoint
CREATE TRIGGER `search_docs_ad` AFTER DELETE ON `search_docs` BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', OLD.doc_id, OLD.title, OLD.body);
END;
--> statement-breakpoint
CREATE TRIGGER `search_docs_au` AFTER UPDATE OF title, body ON `search_docs`
WHEN OLD.title IS NOT NEW.title OR OLD.body IS NOT NEW.body BEGIN
  INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', OLD.doc_id, OLD.title, OLD.body);
  INSERT INTO search_fts (rowid, title, body) VALUES (NEW.doc_id, NEW.title, NEW.body);
END;
--> statement-breakpoint
CREATE TRIGGER `items_search_ai` AFTER INSERT ON `items`
WHEN NEW.deleted_at IS NULL AND (NEW.type <> 'module_item'
  OR (json_valid(NEW.data) AND json_extract(NEW.data, '$.type') IN ('ExternalUrl', 'ExternalTool'))) BEGIN
  INSERT INTO search_docs (item_id, course_id, type, title, body, text_key, body_status, body_truncated, indexed_at)
  VALUES (NEW.id, NEW.course_id, NEW.type, COALESCE(NEW.title, ''), substr(COALESCE(NEW.text, ''), 1, 200000),
    NEW.text_key,
    CASE WHEN NEW.text_key IS NOT NULL THEN 'r2_pending' WHEN COALESCE(NEW.text, '') <> '' THEN 'inline' ELSE 'none' END,
    length(COALESCE(NEW.text, '')) > 200000, NEW.changed_at)
  ON CONFLICT (item_id) DO UPDATE SET
    title = excluded.title, body = excluded.body, text_key = excluded.text_key, body_status = excluded.body_status,
    body_truncated = excluded.body_truncated, attempts = 0, indexed_at = excluded.indexed_at;
END;
--> statement-breakpoint
CREATE TRIGGER `items_search_au` AFTER UPDATE OF title, text, text_key, deleted_at, data ON `items`
WHEN OLD.title IS NOT NEW.title OR OLD.text IS NOT NEW.text OR OLD.text_key IS NOT NEW.text_key
  OR OLD.deleted_at IS NOT NEW.deleted_at OR (NEW.type = 'module_item' AND OLD.data IS NOT NEW.data) BEGIN
  DELETE FROM search_docs WHERE item_id = NEW.id AND NOT (NEW.deleted_at IS NULL AND (NEW.type <> 'module_item'
    OR (json_valid(NEW.data) AND json_extract(NEW.data, '$.type') IN ('ExternalUrl', 'ExternalTool'))));
  -- A text in R2 under the same key (content-addressed) is the same text: keep the body already filled in.
  INSERT INTO search_docs (item_id, course_id, type, title, body, text_key, body_status, body_truncated, indexed_at)
  SELECT NEW.id, NEW.course_id, NEW.type, COALESCE(NEW.title, ''), substr(COALESCE(NEW.text, ''), 1, 200000),
    NEW.text_key,
    CASE WHEN NEW.text_key IS NOT NULL THEN 'r2_pending' WHEN COALESCE(NEW.text, '') <> '' THEN 'inline' ELSE 'none' END,
    length(COALESCE(NEW.text, '')) > 200000, NEW.changed_at
  WHERE NEW.deleted_at IS NULL AND (NEW.type <> 'module_item'
    OR (json_valid(NEW.data) AND json_extract(NEW.data, '$.type') IN ('ExternalUrl', 'ExternalTool')))
  ON CONFLICT (item_id) DO UPDATE SET
    title = excluded.title,
    body = CASE WHEN excluded.text_key = search_docs.text_key THEN search_docs.body ELSE excluded.body END,
    body_status = CASE WHEN excluded.text_key = search_docs.text_key THEN search_docs.body_status
      ELSE excluded.body_status END,
    body_truncated = CASE WHEN excluded.text_key = search_docs.text_key THEN search_docs.body_truncated
      ELSE excluded.body_truncated END,
    attempts = CASE WHEN excluded.text_key = search_docs.text_key THEN search_docs.attempts ELSE 0 END,
    text_key = excluded.text_key,
    indexed_at = excluded.indexed_at;
END;
--> statement-breakpoint
CREATE TRIGGER `items_search_ad` AFTER DELETE ON `items` BEGIN
  DELETE FROM search_docs WHERE item_id = OLD.id;
END;
