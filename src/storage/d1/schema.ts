/**
 * D1 schema (drizzle-orm). The mirror's durable record: registered courses, every mirrored Canvas object keyed by a
 * stable identity, its change log, content-addressed blobs, sync jobs with their checkpoints and reports, and the
 * per-collection watermarks. Column names are snake_case; drizzle maps them to camelCase.
 *
 * Why watermarks live here and not in the course Durable Object: they must advance in the same atomic `db.batch()`
 * as the rows they summarise, so a crash can never leave a watermark ahead of the data.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const courses = sqliteTable(
  "courses",
  {
    canvasCourseId: integer("canvas_course_id").primaryKey(),
    name: text("name"),
    /** idle | queued | syncing | auth_failed | failing */
    state: text("state").notNull().default("idle"),
    registeredAt: integer("registered_at").notNull(),
    lastSyncAt: integer("last_sync_at"),
    lastSuccessAt: integer("last_success_at"),
    lastFullSyncAt: integer("last_full_sync_at"),
    nextSyncAt: integer("next_sync_at").notNull(),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    lastError: text("last_error"),
    lastErrorCategory: text("last_error_category"),
    lastJobId: text("last_job_id"),
    /** share of mirrored objects that changed in recent syncs (0..1), feeds the adaptive scheduler */
    changeRate: integer("change_rate_ppm").notNull().default(0),
    /** JSON: 168 decayed hour-of-week activity buckets */
    activity: text("activity"),
    /** mirrored from the course Durable Object so the cron fan-out can skip open breakers with one query */
    breakerOpenUntil: integer("breaker_open_until"),
    /** fingerprint of the Canvas token that was found dead; syncs resume once the configured token differs */
    authFailedToken: text("auth_failed_token"),
  },
  (t) => [index("courses_next_sync_idx").on(t.nextSyncAt)],
);

export const items = sqliteTable(
  "items",
  {
    /** `${courseId}:${type}:${canvasId}`: the stable identity */
    id: text("id").primaryKey(),
    courseId: integer("course_id").notNull(),
    type: text("type").notNull(),
    canvasId: text("canvas_id").notNull(),
    /** module items: their module's canvas id; files: their folder id */
    parentId: text("parent_id"),
    title: text("title"),
    /** SHA-256 of the canonical projection of the fields we store */
    contentHash: text("content_hash").notNull(),
    /** Canvas's own timestamp used by the timestamp tier (pages: revision time; files/assignments/folders: updated_at) */
    canvasUpdatedAt: text("canvas_updated_at"),
    /** files: content timestamp and size (the bytes tier) */
    canvasModifiedAt: text("canvas_modified_at"),
    size: integer("size"),
    /** JSON of the canonical projection (what the API serves and the deep diff compares) */
    data: text("data").notNull(),
    blobSha256: text("blob_sha256"),
    textHash: text("text_hash"),
    /** extracted text: inline when small, otherwise in R2 under text_key */
    text: text("text"),
    textKey: text("text_key"),
    textStatus: text("text_status"),
    /** the text_hash whose vector is in the index and whose duplicates were checked (null: not yet) */
    dedupHash: text("dedup_hash"),
    /** set when the check ran before Vectorize had indexed its neighbours: re-checked on the next pass */
    dedupProvisional: integer("dedup_provisional"),
    replacesId: text("replaces_id"),
    replacedById: text("replaced_by_id"),
    /**
     * The job that last changed this row and how (added | timestamp_updated | content_updated | content_modified |
     * restored | deleted | replaced): a job resumed in a later delivery skips what it already did and counts it
     * from here, so its report equals an uninterrupted run's without carrying a list of done objects.
     */
    lastJobId: text("last_job_id"),
    lastChangeKind: text("last_change_kind"),
    /** pages: when Canvas produced the response that carried the stored body (its Date header, ms) */
    observedAt: integer("observed_at"),
    /** set when the projection is too large for a D1 row: the whole projection JSON lives in R2 under this key */
    dataKey: text("data_key"),
    version: integer("version").notNull().default(1),
    firstSeenAt: integer("first_seen_at").notNull(),
    changedAt: integer("changed_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    index("items_course_type_idx").on(t.courseId, t.type),
    index("items_course_changed_idx").on(t.courseId, t.changedAt),
    index("items_type_canvas_idx").on(t.type, t.canvasId),
    index("items_blob_idx").on(t.blobSha256),
    index("items_text_hash_idx").on(t.textHash),
    // Only tombstones are in it (live rows never touch it): the retention job finds old ones without a scan.
    index("items_tombstones_idx")
      .on(t.deletedAt)
      .where(sql`deleted_at IS NOT NULL`),
    /** "what changed since" across every course (MCP changes_since without a course) */
    index("items_changed_idx").on(t.changedAt, t.id),
  ],
);

/**
 * The search documents: one row per live, searchable item, kept in step with `items` by SQLite triggers (migration
 * `search_fts`), and the external content of the FTS5 index `search_fts` (title, body). Tombstoned items leave this
 * table (and so the index) in the same statement that tombstones them. `body` is the item's text capped at
 * SEARCH_BODY_CHARS; a text kept in R2 (`text_key`) is indexed by title first (`r2_pending`) and its body is filled
 * in from R2 by the extraction and dedup queue path (src/search/index-r2-texts.ts).
 */
export const searchDocs = sqliteTable(
  "search_docs",
  {
    /** the FTS5 rowid (stable: an INTEGER PRIMARY KEY is never renumbered by VACUUM) */
    docId: integer("doc_id").primaryKey(),
    itemId: text("item_id").notNull(),
    courseId: integer("course_id").notNull(),
    type: text("type").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** the R2 key of the item's text when it is too large to keep inline */
    textKey: text("text_key"),
    /** none | inline | r2_pending | r2_indexed | r2_missing | r2_failed */
    bodyStatus: text("body_status").notNull(),
    /** 1 when the text was longer than SEARCH_BODY_CHARS and only its beginning is indexed */
    bodyTruncated: integer("body_truncated").notNull().default(0),
    /** failed attempts to read an R2 text (r2_failed after the last one) */
    attempts: integer("attempts").notNull().default(0),
    indexedAt: integer("indexed_at").notNull(),
  },
  (t) => [
    uniqueIndex("search_docs_item_idx").on(t.itemId),
    index("search_docs_pending_idx").on(t.bodyStatus, t.courseId),
  ],
);

export const itemChanges = sqliteTable(
  "item_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    itemId: text("item_id").notNull(),
    courseId: integer("course_id").notNull(),
    jobId: text("job_id"),
    /** added | timestamp_updated | content_updated | content_modified | deleted | replaced | restored */
    kind: text("kind").notNull(),
    /** JSON array of { field, old?, new?, summary? } */
    fields: text("fields"),
    at: integer("at").notNull(),
  },
  (t) => [
    index("item_changes_item_idx").on(t.itemId, t.id),
    index("item_changes_course_idx").on(t.courseId, t.at),
  ],
);

export const blobs = sqliteTable("blobs", {
  sha256: text("sha256").primaryKey(),
  r2Key: text("r2_key").notNull(),
  size: integer("size").notNull(),
  contentType: text("content_type"),
  createdAt: integer("created_at").notNull(),
  /** set when the last live reference went away; the blob is deleted after a grace period */
  orphanedAt: integer("orphaned_at"),
});

export const syncJobs = sqliteTable(
  "sync_jobs",
  {
    id: text("id").primaryKey(),
    courseId: integer("course_id").notNull(),
    /** incremental | full | targeted */
    mode: text("mode").notNull(),
    /** api | cron | event | reconcile */
    trigger: text("trigger").notNull(),
    /** JSON scope for targeted jobs */
    scope: text("scope"),
    /** queued | running | succeeded | partial | failed (partial: finished, with objects left behind) */
    status: text("status").notNull(),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    attempts: integer("attempts").notNull().default(0),
    progressDone: integer("progress_done").notNull().default(0),
    progressTotal: integer("progress_total").notNull().default(0),
    /** JSON: collections finished, ids accounted in the current one, counters so far */
    checkpoint: text("checkpoint"),
    checkpointAt: integer("checkpoint_at"),
    /** JSON report: per-type counts, requests, bytes, rows, R2 writes, errors by category */
    report: text("report"),
    error: text("error"),
    errorCategory: text("error_category"),
  },
  (t) => [
    index("sync_jobs_course_idx").on(t.courseId, t.createdAt),
    index("sync_jobs_status_idx").on(t.status, t.checkpointAt),
    /** retention: finished jobs oldest first (unfinished ones have no finished_at) */
    index("sync_jobs_finished_idx").on(t.finishedAt),
  ],
);

/**
 * What a sync could not mirror, one row per object and course: `left_behind` (a transient failure outlasted the
 * job's retries; the next sync retries it first), `held` (missing from a listing that lost too much at once: not
 * deleted until Canvas confirms), `skipped` (a permanent, object-specific outcome: forbidden, malformed). A row goes
 * away in the same batch that finally stores the object.
 */
export const syncIssues = sqliteTable(
  "sync_issues",
  {
    courseId: integer("course_id").notNull(),
    itemId: text("item_id").notNull(),
    type: text("type").notNull(),
    canvasId: text("canvas_id").notNull(),
    /** left_behind | held | skipped */
    status: text("status").notNull(),
    /** the error category (timeout, transient, rate_limited, content, permission, unknown, held) */
    category: text("category").notNull(),
    reason: text("reason").notNull(),
    /** the latest job that met the problem */
    jobId: text("job_id").notNull(),
    /** files: the listed updated_at, so the files watermark never passes an object not yet stored */
    canvasUpdatedAt: text("canvas_updated_at"),
    /** module items: the module, to look the item up again */
    parentId: text("parent_id"),
    firstAt: integer("first_at").notNull(),
    lastAt: integer("last_at").notNull(),
    attempts: integer("attempts").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.itemId] }), index("sync_issues_job_idx").on(t.jobId)],
);

/** One row per queue delivery of a sync job: what it cost against the per-invocation limits and how it ended. */
export const jobDeliveries = sqliteTable(
  "job_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: text("job_id").notNull(),
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at").notNull(),
    canvasRequests: integer("canvas_requests").notNull(),
    d1Statements: integer("d1_statements").notNull(),
    subrequests: integer("subrequests").notNull(),
    /** continued | finished | retried | dead-lettered */
    outcome: text("outcome").notNull(),
    /** what ended a continued delivery (wall_time, canvas_requests, d1_statements, subrequests) */
    stoppedBy: text("stopped_by"),
  },
  (t) => [index("job_deliveries_job_idx").on(t.jobId, t.id)],
);

export const collectionCursors = sqliteTable(
  "collection_cursors",
  {
    courseId: integer("course_id").notNull(),
    collection: text("collection").notNull(),
    /** files: newest updated_at fully processed (early-stop point minus the lookback window) */
    watermark: text("watermark"),
    /** last time a complete listing of this collection was reconciled for deletions */
    reconciledAt: integer("reconciled_at"),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.collection] })],
);

export const deadLetters = sqliteTable("dead_letters", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  jobId: text("job_id"),
  courseId: integer("course_id"),
  reason: text("reason").notNull(),
  body: text("body"),
  at: integer("at").notNull(),
});

export const metricsCounters = sqliteTable(
  "metric_counters",
  {
    name: text("name").notNull(),
    labels: text("labels").notNull().default(""),
    value: integer("value").notNull().default(0),
    /** when the label set last moved (null: before this column existed); retention drops long-idle ones */
    updatedAt: integer("updated_at"),
  },
  (t) => [uniqueIndex("metric_counters_key").on(t.name, t.labels)],
);

/** Live Events dedup: the newest event time seen per object, so duplicates and out-of-order events cause no work. */
export const eventMarks = sqliteTable(
  "event_marks",
  {
    objectKey: text("object_key").primaryKey(),
    courseId: integer("course_id").notNull(),
    eventTime: text("event_time").notNull(),
    eventName: text("event_name").notNull(),
    jobId: text("job_id"),
    at: integer("at").notNull(),
  },
  // retention: marks not moved for the window, oldest first; the scheduler asks when a course last had an event
  // acted on (src/storage/d1/event-activity.ts)
  (t) => [index("event_marks_at_idx").on(t.at), index("event_marks_course_at_idx").on(t.courseId, t.at)],
);

/**
 * Duplicates found by dedup tiers 2-4: exact copies (same text or blob hash) are linked; near-duplicates confirmed by
 * exact trigram similarity are conflicts an operator resolves. A resolved pair is raised again only when one side's
 * text hash differs from the one recorded here.
 */
export const duplicates = sqliteTable(
  "duplicates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** the lexicographically smaller item id of the pair */
    itemA: text("item_a").notNull(),
    itemB: text("item_b").notNull(),
    courseA: integer("course_a").notNull(),
    courseB: integer("course_b").notNull(),
    /** exact_text | exact_blob | near_text */
    kind: text("kind").notNull(),
    score: real("score").notNull(),
    textHashA: text("text_hash_a"),
    textHashB: text("text_hash_b"),
    /** linked (exact copies) | open | resolved */
    status: text("status").notNull(),
    /** keep_both | mark_duplicate | ignore */
    resolution: text("resolution"),
    canonicalItem: text("canonical_item"),
    reason: text("reason").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    resolvedAt: integer("resolved_at"),
  },
  (t) => [
    uniqueIndex("duplicates_pair_idx").on(t.itemA, t.itemB),
    index("duplicates_status_idx").on(t.status, t.id),
    index("duplicates_item_b_idx").on(t.itemB),
  ],
);
