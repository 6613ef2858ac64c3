/**
 * Read access to an OOXML package (the zip behind DOCX, PPTX and XLSX) that inflates one XML part at a time:
 * fflate's `unzipSync` with a name filter lists the entries without inflating anything, then each part is
 * inflated on demand, so media and unused parts never cost memory. It also resolves relationships (`_rels`)
 * and works out which kind of document the package holds. A broken zip becomes ExtractFailure("corrupt"),
 * and the inflated total is capped so a zip bomb becomes ExtractFailure("too_large").
 */
import { unzipSync } from "fflate";
import { ExtractFailure } from "./types";
import type { OoxmlKind } from "./types";
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function decodePart(bytes: Uint8Array): string {
  // OOXML parts are UTF-8 in practice; UTF-16 is allowed by the spec and announced by a BOM.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
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

export function openOoxmlPackage(zip: Uint8Array, maxInflatedBytes: number): OoxmlPackage {
  // Part names are case-insensitive in OOXML; zips written by different tools disagree on case.
  const byLowerName = new Map<string, { name: string; size: number }>();
  try {
    unzipSync(zip, {
      filter: (file) => {
        byLowerName.set(file.name.toLowerCase(), { name: file.name, size: file.originalSize });
        return false;
      },
    });
  } catch (error) {
    throw new ExtractFailure("corrupt", `not a readable zip: ${describe(error)}`, { cause: error });
  }
  let inflated = 0;

  const readPart = (partName: string): string | undefined => {
    const entry = byLowerName.get(partName.toLowerCase());
    if (entry === undefined) return undefined;
    inflated += entry.size;
    if (inflated > maxInflatedBytes) {
      throw new ExtractFailure("too_large", `XML parts inflate past ${maxInflatedBytes} bytes`);
    }
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip, { filter: (file) => file.name === entry.name });
    } catch (error) {
      throw new ExtractFailure("corrupt", `cannot inflate ${entry.name}: ${describe(error)}`, {
        cause: error,
      });
    }
    const bytes = files[entry.name];
    return bytes === undefined ? undefined : decodePart(bytes);
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
