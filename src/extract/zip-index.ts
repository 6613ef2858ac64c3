/**
 * The table of contents of a zip (the central directory), read without inflating anything, with each entry's
 * method, compressed size and where its compressed bytes start. fflate's readers cannot be used for this: their
 * listing does not say where an entry's data is, and their extraction allocates the size the archive declares and
 * inflates a whole entry in one call, so a lying or hostile archive cannot be stopped part-way. The uncompressed
 * sizes an archive declares are deliberately not read: bounded-inflate.ts counts the bytes that really come out.
 * Layout per PKWARE APPNOTE 6.3 (EOCD, ZIP64 locator and record, central directory headers, ZIP64 extra field).
 */
import { ExtractFailure } from "./types";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; anything else cannot be read. */
  method: number;
  encrypted: boolean;
  /** The compressed bytes (clamped to the archive: a size past its end is not believed either). */
  data: Uint8Array;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const MAX_ENTRIES = 65_535;

const corrupt = (detail: string) => new ExtractFailure("corrupt", `not a readable zip: ${detail}`);

/** Reads the central directory; throws ExtractFailure("corrupt") for anything that is not a well-formed zip. */
export function readZipIndex(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (at: number) => (at + 2 <= zip.byteLength ? view.getUint16(at, true) : -1);
  const u32 = (at: number) => (at + 4 <= zip.byteLength ? view.getUint32(at, true) : -1);
  const u64 = (at: number) => (at + 8 <= zip.byteLength ? Number(view.getBigUint64(at, true)) : -1);

  let eocd = -1;
  for (let at = zip.byteLength - 22; at >= Math.max(0, zip.byteLength - 22 - 65_535); at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw corrupt("no end of central directory");
  let count = u16(eocd + 10);
  let offset = u32(eocd + 16);
  if (u32(eocd - 20) === ZIP64_LOCATOR) {
    const record = u64(eocd - 12);
    if (u32(record) !== ZIP64_EOCD) throw corrupt("broken ZIP64 end record");
    count = u64(record + 32);
    offset = u64(record + 48);
  }
  if (count < 0 || count > MAX_ENTRIES) throw corrupt("too many entries");

  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder("utf-8");
  for (let index = 0; index < count; index++) {
    if (u32(offset) !== CENTRAL_HEADER) throw corrupt("broken central directory");
    const flags = u16(offset + 8);
    const method = u16(offset + 10);
    let compressedSize = u32(offset + 20);
    const nameLength = u16(offset + 28);
    const extraLength = u16(offset + 30);
    const commentLength = u16(offset + 32);
    let localOffset = u32(offset + 42);
    const nameStart = offset + 46;
    if (nameStart + nameLength + extraLength > zip.byteLength) throw corrupt("entry past the end");
    const name = decoder.decode(zip.subarray(nameStart, nameStart + nameLength));
    // ZIP64 extra field: the 64-bit values, in this order, for exactly the fields saturated above.
    const zip64 = findExtra(zip, nameStart + nameLength, extraLength, 0x0001, u16);
    if (zip64 !== null) {
      let at = zip64;
      if (u32(offset + 24) === 0xffffffff) at += 8;
      if (compressedSize === 0xffffffff) {
        compressedSize = u64(at);
        at += 8;
      }
      if (localOffset === 0xffffffff) localOffset = u64(at);
    }
    if (u32(localOffset) !== LOCAL_HEADER) throw corrupt(`no local header for ${name}`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (dataStart > zip.byteLength || compressedSize < 0) throw corrupt(`entry ${name} past the end`);
    entries.push({
      name,
      method,
      encrypted: (flags & 1) === 1,
      data: zip.subarray(dataStart, Math.min(zip.byteLength, dataStart + compressedSize)),
    });
    offset = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Where the body of extra field `id` starts, or null. */
function findExtra(
  zip: Uint8Array,
  start: number,
  length: number,
  id: number,
  u16: (at: number) => number,
): number | null {
  for (let at = start; at + 4 <= start + length;) {
    const size = u16(at + 2);
    if (u16(at) === id) return at + 4;
    at += 4 + size;
  }
  return null;
}
