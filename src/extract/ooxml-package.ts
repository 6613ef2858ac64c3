/**
 * Read access to an OOXML package (the zip behind DOCX, PPTX and XLSX) that inflates one XML part at a time:
 * the central directory is listed without inflating anything (zip-index.ts), then each part is inflated on
 * demand, so media and unused parts never cost memory. It also resolves relationships (`_rels`) and works out
 * which kind of document the package holds. A broken zip becomes ExtractFailure("corrupt"); inflation counts
 * the bytes that really come out against the document's budget and a ratio cap (bounded-inflate.ts), so a zip
 * bomb, or a zip that lies about its sizes, becomes ExtractFailure("too_large") at the first part that exceeds.
 */
import { inflateText, type InflateBudget } from "./bounded-inflate";
import { ExtractFailure } from "./types";
import type { OoxmlKind } from "./types";
import { readZipIndex, type ZipEntry } from "./zip-index";
import { readAttr, walkXml } from "./xml-walker";

export interface Relationship {
  type: string;
  /** Absolute part name inside the zip (no leading slash), resolved against the source part. */
  target: string;
}

export interface OoxmlPackage {
  has(partName: string): boolean;
  /** Inflates and decodes one part; undefined when the package has no such part. */
  readPart(partName: string): string | undefined;
  /** Relationships of a part ("" for the package itself), keyed by relationship id, in document order. */
  relationships(partName: string): Map<string, Relationship>;
  /** The main document part named by the package's officeDocument relationship. */
  mainPart(): string | undefined;
  kind(): OoxmlKind | undefined;
}

/** Resolves a relationship target against the folder of the part that owns it. */
function resolveTarget(sourcePart: string, target: string): string {
  const base = target.startsWith("/") ? [] : sourcePart.split("/").slice(0, -1);
  for (const segment of target.replace(/^\//, "").split("/")) {
    if (segment === "..") base.pop();
    else if (segment !== "." && segment !== "") base.push(segment);
  }
  return base.join("/");
}

function relsPartFor(partName: string): string {
  if (partName === "") return "_rels/.rels";
  const slash = partName.lastIndexOf("/");
  return `${partName.slice(0, slash + 1)}_rels/${partName.slice(slash + 1)}.rels`;
}

/** The content type [Content_Types].xml declares for one part (by Override), or "" if none. */
function contentTypeOf(contentTypesXml: string, partName: string): string {
  let found = "";
  const wanted = `/${partName}`.toLowerCase();
  walkXml(contentTypesXml, {
    open: (name, attrs) => {
      if (name === "Override" && readAttr(attrs, "PartName")?.toLowerCase() === wanted) {
        found = (readAttr(attrs, "ContentType") ?? "").toLowerCase();
        return false;
      }
      return true;
    },
  });
  return found;
}

export interface InflateLimits {
  /** Total inflated bytes of the parts read from one document. */
  maxInflatedBytes: number;
  /** A part may inflate at most this many times its compressed size (after a 1 MiB grace). */
  maxCompressionRatio: number;
}

export function openOoxmlPackage(zip: Uint8Array, limits: InflateLimits): OoxmlPackage {
  // Part names are case-insensitive in OOXML; zips written by different tools disagree on case.
  const byLowerName = new Map<string, ZipEntry>();
  for (const entry of readZipIndex(zip)) {
    const key = entry.name.toLowerCase();
    if (!byLowerName.has(key)) byLowerName.set(key, entry);
  }
  const budget: InflateBudget = {
    remaining: limits.maxInflatedBytes,
    total: limits.maxInflatedBytes,
    maxRatio: limits.maxCompressionRatio,
  };

  const readPart = (partName: string): string | undefined => {
    const entry = byLowerName.get(partName.toLowerCase());
    if (entry === undefined) return undefined;
    if (entry.encrypted) throw new ExtractFailure("encrypted", `${entry.name} is encrypted`);
    return inflateText(entry, budget);
  };

  const relationships = (partName: string): Map<string, Relationship> => {
    const rels = new Map<string, Relationship>();
    const xml = readPart(relsPartFor(partName));
    if (xml === undefined) return rels;
    walkXml(xml, {
      open: (name, attrs) => {
        if (name !== "Relationship" || readAttr(attrs, "TargetMode") === "External") return;
        const id = readAttr(attrs, "Id");
        const target = readAttr(attrs, "Target");
        if (id === undefined || target === undefined) return;
        rels.set(id, { type: readAttr(attrs, "Type") ?? "", target: resolveTarget(partName, target) });
      },
    });
    return rels;
  };

  const mainPart = (): string | undefined => {
    for (const rel of relationships("").values()) {
      if (rel.type.endsWith("/officeDocument")) return rel.target;
    }
    return undefined;
  };

  return {
    has: (partName) => byLowerName.has(partName.toLowerCase()),
    readPart,
    relationships,
    mainPart,
    kind: () => {
      const main = mainPart();
      if (main === undefined) return undefined;
      const declared = contentTypeOf(readPart("[Content_Types].xml") ?? "", main);
      // Macro-enabled and template variants share these stems; with no declared type, the folder decides.
      const folder = main.toLowerCase().split("/")[0];
      if (/wordprocessingml|ms-word/.test(declared) || (declared === "" && folder === "word")) return "docx";
      if (/presentationml|ms-powerpoint/.test(declared) || (declared === "" && folder === "ppt"))
        return "pptx";
      if (/spreadsheetml|ms-excel/.test(declared) || (declared === "" && folder === "xl")) return "xlsx";
      return undefined;
    },
  };
}
