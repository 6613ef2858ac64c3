/**
 * Seeded, realistic-looking course prose: titles, sentences, paragraphs and Canvas-style HTML bodies (headings,
 * paragraphs, lists, links to other course pages and files). Extraction and similarity tests need text that reads
 * like a syllabus or lecture note rather than random bytes, and the bulk generator calls this lazily, so it must
 * be cheap and a pure function of its Rng.
 */
import type { Rng } from "../rng";

export interface Topic {
  subject: string;
  nouns: readonly string[];
  adjectives: readonly string[];
}

export const TOPICS: readonly Topic[] = [
  {
    subject: "Biology",
    nouns: [
      "cell",
      "membrane",
      "enzyme",
      "protein",
      "gene",
      "mitochondria",
      "organism",
      "ecosystem",
      "species",
      "chromosome",
      "ribosome",
      "population",
      "nucleus",
      "photosynthesis",
      "evolution",
    ],
    adjectives: [
      "cellular",
      "genetic",
      "metabolic",
      "aerobic",
      "microbial",
      "molecular",
      "adaptive",
      "marine",
    ],
  },
  {
    subject: "History",
    nouns: [
      "empire",
      "treaty",
      "revolution",
      "dynasty",
      "archive",
      "republic",
      "trade route",
      "colony",
      "reform",
      "parliament",
      "manuscript",
      "chronicle",
      "frontier",
      "alliance",
      "migration",
    ],
    adjectives: [
      "medieval",
      "colonial",
      "industrial",
      "ancient",
      "maritime",
      "political",
      "religious",
      "urban",
    ],
  },
  {
    subject: "Computer Science",
    nouns: [
      "algorithm",
      "compiler",
      "graph",
      "hash table",
      "recursion",
      "protocol",
      "database",
      "thread",
      "cache",
      "interpreter",
      "binary tree",
      "scheduler",
      "type system",
      "network",
      "index",
    ],
    adjectives: [
      "distributed",
      "concurrent",
      "functional",
      "asymptotic",
      "incremental",
      "immutable",
      "lazy",
      "parallel",
    ],
  },
  {
    subject: "Economics",
    nouns: [
      "market",
      "tariff",
      "inflation",
      "demand curve",
      "equilibrium",
      "incentive",
      "monopoly",
      "subsidy",
      "labour supply",
      "interest rate",
      "budget",
      "externality",
      "auction",
      "contract",
      "household",
    ],
    adjectives: [
      "marginal",
      "fiscal",
      "monetary",
      "competitive",
      "behavioural",
      "regional",
      "global",
      "informal",
    ],
  },
];

const VERBS = [
  "explains",
  "shapes",
  "limits",
  "reveals",
  "connects",
  "transforms",
  "supports",
  "challenges",
  "describes",
  "predicts",
  "measures",
  "illustrates",
  "constrains",
  "drives",
];
const CONNECTORS = [
  "In this unit",
  "As we saw last week",
  "For the lab",
  "In practice",
  "Historically",
  "By contrast",
  "In the reading",
  "For the exam",
  "Put simply",
  "To prepare",
];
const STUDY_WORDS = [
  "students",
  "the class",
  "each group",
  "your notes",
  "the textbook",
  "the lecture",
  "the case study",
  "the worksheet",
];

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function sentence(rng: Rng, topic: Topic): string {
  const subject = `${rng.pick(topic.adjectives)} ${rng.pick(topic.nouns)}`;
  const object = `the ${rng.pick(topic.nouns)}`;
  const form = rng.int(0, 3);
  if (form === 0) return `${rng.pick(CONNECTORS)}, the ${subject} ${rng.pick(VERBS)} ${object}.`;
  if (form === 1) return `${cap(rng.pick(STUDY_WORDS))} should compare the ${subject} with ${object}.`;
  if (form === 2)
    return `Why the ${subject} ${rng.pick(VERBS)} ${object} is a question ${rng.pick(STUDY_WORDS)} will revisit.`;
  return `${cap(subject)} ${rng.pick(VERBS)} ${object} and ${rng.pick(VERBS)} the ${rng.pick(topic.nouns)}.`;
}

export function paragraph(rng: Rng, topic: Topic, sentences = rng.int(3, 6)): string {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) parts.push(sentence(rng, topic));
  return parts.join(" ");
}

export function title(rng: Rng, topic: Topic): string {
  const forms = [
    () => `${cap(rng.pick(topic.adjectives))} ${cap(rng.pick(topic.nouns))}s`,
    () => `Introduction to the ${cap(rng.pick(topic.nouns))}`,
    () => `${cap(rng.pick(topic.nouns))} and ${cap(rng.pick(topic.nouns))}`,
    () => `Week ${rng.int(1, 14)}: ${cap(rng.pick(topic.adjectives))} ${cap(rng.pick(topic.nouns))}`,
    () => `Case Study: the ${cap(rng.pick(topic.adjectives))} ${cap(rng.pick(topic.nouns))}`,
  ];
  return rng.pick(forms)();
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface BodyLink {
  href: string;
  text: string;
}

/** A Canvas rich-content body: a heading, paragraphs, a list and optionally links (pages, files, outside). */
export function htmlBody(rng: Rng, topic: Topic, links: readonly BodyLink[] = []): string {
  const out: string[] = [];
  out.push(`<h2>${escapeHtml(title(rng, topic))}</h2>`);
  const paragraphs = rng.int(2, 4);
  for (let i = 0; i < paragraphs; i++) out.push(`<p>${escapeHtml(paragraph(rng, topic))}</p>`);
  out.push("<h3>Key points</h3>");
  const items: string[] = [];
  for (let i = rng.int(3, 5); i > 0; i--) items.push(`<li>${escapeHtml(sentence(rng, topic))}</li>`);
  out.push(`<ul>${items.join("")}</ul>`);
  if (links.length > 0) {
    const anchors = links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`);
    out.push(`<p>See also: ${anchors.join(", ")}.</p>`);
  }
  out.push(`<p><strong>Reminder:</strong> ${escapeHtml(sentence(rng, topic))}</p>`);
  return out.join("\n");
}

/** Plain-text lines for text-like files (txt, md, csv rows are built by the caller). */
export function plainLines(rng: Rng, topic: Topic, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(sentence(rng, topic));
  return lines;
}

/** Canvas-style slug: lowercase, non-alphanumerics collapsed to "-". */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug.length > 0 ? slug : "page";
}
