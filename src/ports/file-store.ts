/**
 * The file store port: storage-side effects for file bytes, extracted texts and large projections. The pipeline
 * (src/sync) calls it; src/storage/file-store.ts implements it over R2 and the D1 `blobs` table.
 */

export interface StoredBlobInfo {
  sha256: string;
  size: number;
  r2Key: string;
  isNew: boolean;
  contentType: string | null;
}

/** Storage-side effects for file bytes (implemented over R2 + D1 blobs). */
export interface FileStore {
  /**
   * Downloads a Canvas file and stores its bytes content-addressed; returns its SHA-256. `isNew` is false when the
   * same bytes were already stored (a dedup hit: nothing new is kept). The blob's D1 row is the caller's to write,
   * in the same batch as the item that references it.
   */
  storeFile(input: {
    courseId: number;
    fileId: number;
    url: string;
    size: number | null;
    contentType: string | null;
    version: string;
  }): Promise<StoredBlobInfo>;
  /** Stores a large extracted text and returns its key. */
  storeText(textHash: string, text: string): Promise<string>;
  /** Stores a projection too large for a D1 row under a content-addressed key and returns the key. */
  storeData(contentHash: string, json: string): Promise<string>;
  /** Reads a projection stored by storeData (null when the object is missing). */
  loadData(key: string): Promise<string | null>;
}
