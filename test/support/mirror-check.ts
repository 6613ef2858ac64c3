/**
 * Compares what a course's mirror holds (D1 items, R2 blobs, the files watermark) with the simulator's truth and
 * counts every difference: objects missing (lost), present with the wrong content or wrongly alive or dead (stale),
 * recorded more than once (duplicated: a change logged twice for the same object and job, or file bytes kept in R2
 * under a key no blob row claims), file bytes whose stored SHA-256 is wrong, and a files watermark that moved past
 * a file the mirror does not have right (the next incremental sync would never look at it again).
 */
import { env } from "cloudflare:workers";
import { z } from "zod";
import type { CourseTruth } from "../local/simulator/truth";

export interface MirrorDiff {
  lost: number;
  stale: number;
  /** live in Canvas but tombstoned in the mirror (counted in stale too) */
  wronglyDeleted: number;
  duplicated: number;
  badBlobs: number;
  watermarkPastFailure: number;
  /** the first differences, for the failure message */
  samples: string[];
}

interface ItemRow {
  type: string;
  canvas_id: string;
  data: string;
  data_key: string | null;
  deleted_at: number | null;
  blob_sha256: string | null;
}

const DataSchema = z.record(z.string(), z.unknown());

/** What one live object must look like in the mirror: its type, Canvas id and the fields that carry its content. */
interface Expected {
  type: string;
  id: number;
  fields: Record<string, unknown>;
}

function expectedObjects(truth: CourseTruth): Expected[] {
  const objects: Expected[] = [
    { type: "course", id: truth.course.id, fields: { name: truth.course.name } },
    { type: "syllabus", id: truth.course.id, fields: { body: truth.course.syllabus_body } },
  ];
  for (const page of truth.pages) {
    objects.push({
      type: "page",
      id: page.page_id,
      fields: { title: page.title, body: page.body, published: page.published },
    });
  }
  for (const file of truth.files) {
    objects.push({
      type: "file",
      id: file.id,
      fields: { display_name: file.display_name, folder_id: file.folder_id, sha256: file.sha256 },
    });
  }
  for (const folder of truth.folders)
    objects.push({
      type: "folder",
      id: folder.id,
      fields: { name: folder.name, full_name: folder.full_name },
    });
  for (const item of truth.assignments) {
    objects.push({
      type: "assignment",
      id: item.id,
      fields: { name: item.name, description: item.description, published: item.published },
    });
  }
  for (const [type, topics] of [
    ["discussion_topic", truth.discussions],
    ["announcement", truth.announcements],
  ] as const) {
    for (const topic of topics)
      objects.push({ type, id: topic.id, fields: { title: topic.title, message: topic.message } });
  }
  for (const quiz of truth.quizzes)
    objects.push({ type: "quiz", id: quiz.id, fields: { title: quiz.title, description: quiz.description } });
  for (const quiz of truth.new_quizzes) {
    objects.push({
      type: "new_quiz",
      id: quiz.id,
      fields: { title: quiz.title, instructions: quiz.instructions, points_possible: quiz.points_possible },
    });
  }
  for (const module of truth.modules) {
    objects.push({ type: "module", id: module.id, fields: { name: module.name, position: module.position } });
    for (const item of module.items) {
      objects.push({
        type: "module_item",
        id: item.id,
        fields: { module_id: module.id, title: item.title, position: item.position },
      });
    }
  }
  return objects;
}

const DELETED_TYPES: Record<keyof CourseTruth["deleted"], string> = {
  pages: "page",
  files: "file",
  folders: "folder",
  assignments: "assignment",
  discussions: "discussion_topic",
  announcements: "announcement",
  quizzes: "quiz",
  new_quizzes: "new_quiz",
  modules: "module",
  module_items: "module_item",
};

function isDeletedGroup(key: string): key is keyof CourseTruth["deleted"] {
  return key in DELETED_TYPES;
}

export interface CheckOptions {
  /** an incremental sync cannot see a file deleted in Canvas (files are listed newest first, up to the watermark) */
  expectFileDeletions: boolean;
  lookbackMs: number;
}

export async function checkMirror(
  courseId: number,
  truth: CourseTruth,
  options: CheckOptions,
): Promise<MirrorDiff> {
  const diff: MirrorDiff = {
    lost: 0,
    stale: 0,
    wronglyDeleted: 0,
    duplicated: 0,
    badBlobs: 0,
    watermarkPastFailure: 0,
    samples: [],
  };
  const note = (kind: keyof Omit<MirrorDiff, "samples">, text: string): void => {
    diff[kind]++;
    if (diff.samples.length < 20) diff.samples.push(`${kind}: course ${courseId} ${text}`);
  };
  const { results } = await env.DB.prepare(
    "SELECT type, canvas_id, data, data_key, deleted_at, blob_sha256 FROM items WHERE course_id = ?1",
  )
    .bind(courseId)
    .all<ItemRow>();
  const rows = new Map<string, ItemRow[]>();
  for (const row of results)
    rows.set(`${row.type}:${row.canvas_id}`, [...(rows.get(`${row.type}:${row.canvas_id}`) ?? []), row]);
  for (const [key, list] of rows)
    if (list.length > 1) note("duplicated", `${key} stored ${list.length} times`);
  const twice = await env.DB.prepare(
    `SELECT item_id, kind, job_id, count(*) AS n FROM item_changes WHERE course_id = ?1
     GROUP BY item_id, kind, job_id HAVING count(*) > 1`,
  )
    .bind(courseId)
    .all<{ item_id: string; kind: string; n: number }>();
  for (const row of twice.results)
    note("duplicated", `${row.item_id} logged ${row.kind} ${row.n} times in one job`);

  const live = new Set<string>();
  const wrongFiles: number[] = [];
  for (const object of expectedObjects(truth)) {
    const key = `${object.type}:${object.id}`;
    live.add(key);
    const row = rows.get(key)?.[0];
    if (!row) {
      note("lost", `${key} missing`);
      if (object.type === "file") wrongFiles.push(object.id);
      continue;
    }
    const data = DataSchema.parse(JSON.parse(await fullData(row)));
    const wrong = Object.entries(object.fields).filter(([field, value]) => data[field] !== value);
    if (row.deleted_at !== null) diff.wronglyDeleted++;
    if (row.deleted_at !== null || wrong.length > 0) {
      note(
        "stale",
        `${key} ${row.deleted_at !== null ? "tombstoned while live" : `differs in ${wrong.map(([field]) => field).join(", ")}`}`,
      );
      if (object.type === "file") wrongFiles.push(object.id);
    }
    if (
      object.type === "file" &&
      typeof object.fields["sha256"] === "string" &&
      row.blob_sha256 !== object.fields["sha256"]
    ) {
      note("badBlobs", `${key} points at blob ${row.blob_sha256 ?? "none"}`);
    }
  }

  const replaced = new Set(truth.replaced_files.map((entry) => entry.old_id));
  for (const group of Object.keys(DELETED_TYPES).filter(isDeletedGroup)) {
    const type = DELETED_TYPES[group];
    for (const id of truth.deleted[group]) {
      if (type === "file" && !options.expectFileDeletions && !replaced.has(id)) continue;
      const row = rows.get(`${type}:${id}`)?.[0];
      if (row && row.deleted_at === null)
        note("stale", `${type}:${id} deleted in Canvas but alive in the mirror`);
    }
  }
  for (const [key, list] of rows) {
    const row = list[0];
    const deletedInCanvas = row?.type === "file" && !options.expectFileDeletions;
    if (row && row.deleted_at === null && !live.has(key) && !deletedInCanvas)
      note("stale", `${key} alive in the mirror only`);
  }

  await checkBlobs(truth, diff, note);
  await checkUnclaimedBytes(note);
  await checkWatermark(courseId, truth, wrongFiles, options.lookbackMs, note);
  return diff;
}

/** The projection a row stands for: inline, or whole in R2 when it was too large for D1. */
async function fullData(row: ItemRow): Promise<string> {
  if (row.data_key === null) return row.data;
  const object = await env.BLOBS.get(row.data_key);
  return object === null ? row.data : object.text();
}

/** Bytes in R2 that no blob row claims are a second copy nobody will ever serve or delete. */
async function checkUnclaimedBytes(note: (kind: "duplicated", text: string) => void): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await env.BLOBS.list({ prefix: "blobs/", ...(cursor === undefined ? {} : { cursor }) });
    for (const object of page.objects) {
      const row = await env.DB.prepare("SELECT 1 AS one FROM blobs WHERE r2_key = ?1")
        .bind(object.key)
        .first();
      if (!row) note("duplicated", `R2 object ${object.key} is claimed by no blob row`);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
}

/** Every mirrored file's bytes, read back from R2, hash to what Canvas serves. */
async function checkBlobs(
  truth: CourseTruth,
  diff: MirrorDiff,
  note: (kind: "badBlobs", text: string) => void,
): Promise<void> {
  for (const file of truth.files) {
    if (file.sha256 === null) continue;
    const blob = await env.DB.prepare("SELECT r2_key FROM blobs WHERE sha256 = ?1")
      .bind(file.sha256)
      .first<{ r2_key: string }>();
    if (!blob) continue; // counted as lost or stale above
    const object = await env.BLOBS.get(blob.r2_key);
    if (!object) {
      note("badBlobs", `file ${file.id}: blob ${file.sha256} has no R2 object`);
      continue;
    }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await object.arrayBuffer()));
    const hex = [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    if (hex !== file.sha256) note("badBlobs", `file ${file.id}: R2 bytes hash to ${hex}`);
  }
  void diff;
}

/** A wrong or missing file must still be inside the next incremental listing: after watermark - lookback. */
async function checkWatermark(
  courseId: number,
  truth: CourseTruth,
  wrongFiles: readonly number[],
  lookbackMs: number,
  note: (kind: "watermarkPastFailure", text: string) => void,
): Promise<void> {
  const cursor = await env.DB.prepare(
    "SELECT watermark FROM collection_cursors WHERE course_id = ?1 AND collection = 'files'",
  )
    .bind(courseId)
    .first<{ watermark: string | null }>();
  if (!cursor?.watermark) return;
  const cutoff = Date.parse(cursor.watermark) - lookbackMs;
  for (const id of wrongFiles) {
    const file = truth.files.find((candidate) => candidate.id === id);
    if (file && Date.parse(file.updated_at) < cutoff)
      note("watermarkPastFailure", `file ${id} is behind the watermark ${cursor.watermark}`);
  }
}
