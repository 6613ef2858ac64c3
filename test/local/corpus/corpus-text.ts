/**
 * @module dedup/corpus-text
 * Raw material for the synthetic course corpus shared by all subjects: the boilerplate real Canvas
 * courses repeat (syllabus policies, submission instructions, rubric rows, announcements), names
 * and dates, and academic vocabulary for generated prose. Written for this project; placeholders
 * in braces are filled by corpus.ts. Data only (per-subject material is in corpus-subjects.ts).
 */

/** Splits a `|`-separated list (keeps long vocabularies compact and readable). */
export function list(spec: string): string[] {
  return spec
    .split("|")
    .map((w) => w.trim().replace(/\s+/gu, " "))
    .filter((w) => w.length > 0);
}

/** Syllabus and course-policy paragraphs, shared by every subject (as they are in real courses). */
export const POLICIES: string[] = [
  "Late work: assignments submitted after the deadline lose ten percent per day unless an extension was arranged in advance. Extensions are granted for documented illness or emergencies; email the instructor as soon as possible.",
  "Academic integrity: all submitted work must be your own. Copying from classmates, online sources, or generative tools without attribution is a violation of the university's academic integrity policy and will be reported.",
  "Accessibility: students who need accommodations should contact the Office of Disability Services and share their accommodation letter with the instructor during the first two weeks of the term.",
  "Attendance: participation in the weekly discussion counts toward your final grade. If you must miss a session, post a short summary of the reading on the discussion board within three days.",
  "Communication: please use the Canvas inbox for questions about the course. I answer messages within two business days; questions sent on weekends will be answered on Monday.",
  "Grading: the final grade is based on weekly quizzes, two projects, a midterm examination, and a final examination. Grades are posted in the Canvas gradebook within one week of each deadline.",
  "Technology: you need a computer with a reliable internet connection and a current web browser. Contact the help desk if you have trouble accessing course materials.",
  "Wellbeing: if you are struggling, reach out. Counseling services are free for enrolled students, and the dean of students office can help with personal emergencies.",
  "Recordings: lectures are recorded and posted in the Media Gallery. Recordings are for the personal use of enrolled students and may not be shared outside the course.",
  "Regrades: requests for a regrade must be submitted in writing within one week after grades are released and must explain which part of the work should be reconsidered.",
];

/** Submission instructions and rubric rows that many assignments reuse verbatim. */
export const SUBMISSION: string[] = [
  "Submit a single PDF through the assignment page in Canvas. Name the file with your last name and the assignment number.",
  "Your submission must include a title page, numbered pages, and a list of references in the required citation style.",
  "Group submissions need only one upload per group; list every member's name on the first page.",
  "You may resubmit until the deadline; only the last submission will be graded.",
  "Use a twelve point font, double spacing, and one inch margins.",
];

export const RUBRIC: string[] = [
  "Thesis and argument: the main claim is clear, specific, and sustained throughout the work.",
  "Evidence: claims are supported by relevant, accurately cited evidence.",
  "Analysis: the work explains how the evidence supports the claim rather than only summarizing it.",
  "Organization: paragraphs follow a logical order with clear transitions.",
  "Mechanics: the writing is free of errors that interfere with meaning.",
  "Correctness: results are accurate and the method is appropriate for the question.",
  "Presentation: figures and tables are labelled and referred to in the text.",
];

export const ANNOUNCEMENTS: string[] = [
  "Welcome to {course}! Please start by reading the syllabus and introducing yourself on the discussion board before {date}.",
  "Reminder: {assignment} is due on {date} at 11:59 pm. Office hours this week are on {day} from 2 to 4 pm.",
  "The midterm examination will take place on {date} during the regular class period. A practice exam is posted in the Week {week} module.",
  "Grades for {assignment} are now posted. Please read the feedback comments and come to office hours with any questions.",
  "Class on {date} is cancelled. Please watch the recorded lecture and complete the reading quiz by {day}.",
];

export const INSTRUCTORS: string[] = list(`
  Dr. Maria Alvarez | Prof. James Okafor | Dr. Li Wei | Prof. Sarah Lindqvist | Dr. Ahmed Haddad |
  Prof. Emily Nakamura | Dr. Daniel Kowalski | Prof. Grace Mensah | Dr. Priya Raman | Prof. Tomás Herrera
`);

export const DAYS: string[] = list(`
  Monday | Tuesday | Wednesday | Thursday | Friday
`);
export const MONTHS: string[] = list(`
  January | February | March | April | September | October | November | December
`);
export const TERMS: string[] = list(`
  Fall 2025 | Spring 2026 | Summer 2026 | Fall 2026
`);

/** Replacement words for light edits (synonyms and near-synonyms used in instructions). */
export const EDIT_WORDS: string[] = list(`
  carefully | also | briefly | the | each | first | then | please | important | key | new | main | short |
  clear | weekly | final | required | optional | following | previous
`);

/**
 * Academic vocabulary for generated prose. Long notes built only from the fixed sentences above
 * would share almost every trigram with any other long note on the subject; real notes on one
 * subject share vocabulary, not sentences.
 */
export const ADJECTIVES: string[] = list(`
  central | underlying | practical | historical | statistical | theoretical | surprising | typical |
  significant | complex | simple | formal | informal | empirical | original | broader | narrow | recent |
  traditional | alternative | consistent | inconsistent | direct | indirect | relevant | economic | social |
  political | cultural | technical | critical | detailed | general | specific | visible | hidden | gradual |
  sudden | local | global | measurable | uncertain | reliable | abstract | accurate | adequate | ambiguous |
  analogous | annual | apparent | arbitrary | automatic | available | basic | brief | careful | classic |
  coherent | common | comparable | compatible | comprehensive | conceptual | concrete | conventional |
  crucial | current | decisive | definite | deliberate | dominant | durable | dynamic | early | efficient |
  elaborate | elementary | emerging | equivalent | essential | evident | excessive | explicit | external |
  fundamental | familiar | flexible | fragile | frequent | fragmentary | gentle | genuine | hypothetical |
  ideal | implicit | incomplete | independent | initial | intense | internal | intuitive | isolated |
  lasting | logical | marginal | minor | modest | moderate | mutual | neutral | notable | novel | objective |
  obvious | occasional | partial | peculiar | persistent | plausible | potential | precise | preliminary |
  primary | prior | profound | prominent | proportional | provisional | radical | random | rapid | rare |
  rational | regional | remarkable | representative | rigid | robust | rough | routine | scarce | secondary |
  selective | sensitive | severe | similar | singular | sophisticated | stable | standard | steady | strict |
  structural | subtle | sufficient | superficial | systematic | temporary | tentative | uniform | universal |
  unusual | valid | variable | vital | widespread
`);

export const NOUNS: string[] = list(`
  argument | assumption | approach | evidence | framework | concept | context | variable | outcome | method |
  principle | pattern | structure | process | function | factor | feature | mechanism | hypothesis |
  interpretation | limitation | perspective | procedure | relationship | consequence | distinction |
  assessment | estimate | definition | example | exception | comparison | trend | source | sample | model |
  claim | question | problem | response | strategy | tension | shift | range | constraint | criterion |
  component | dimension | phenomenon | implication | observation | account | adjustment | advantage |
  agreement | alignment | analogy | anomaly | application | arrangement | aspect | attempt | attribute |
  balance | baseline | boundary | calculation | category | challenge | characteristic | circumstance |
  classification | coefficient | collection | combination | commitment | concern | conclusion | condition |
  conflict | connection | contrast | contribution | convention | correlation | coverage | debate | decision |
  decline | degree | demand | density | description | design | development | deviation | difference |
  difficulty | discussion | distribution | diversity | draft | effect | element | emphasis | environment |
  error | estimate | evaluation | event | expansion | experiment | explanation | expression | extent |
  failure | finding | form | formula | foundation | frequency | gap | goal | growth | guideline | habit |
  hierarchy | identity | impact | increase | indicator | influence | input | insight | instance | intention |
  interaction | interval | issue | judgement | layer | level | link | logic | margin | measure | mechanism |
  medium | network | norm | notion | objective | obstacle | occurrence | opportunity | order | origin |
  output | overview | parameter | participant | period | phase | portion | position | practice | preference |
  premise | pressure | priority | probability | profile | progress | property | proportion | proposal |
  purpose | quality | quantity | rate | ratio | reaction | reason | record | reduction | reference | region |
  requirement | resource | result | review | risk | rule | scale | scenario | scope | sequence | setting |
  signal | significance | situation | solution | stage | standard | statement | status | step | stimulus |
  style | summary | survey | symbol | system | target | task | technique | tendency | term | threshold |
  tradition | transition | uncertainty | unit | usage | value | version | view
`);

export const VERBS: string[] = list(`
  explains | shapes | challenges | supports | undermines | clarifies | illustrates | reveals | obscures |
  determines | limits | extends | complicates | predicts | reflects | transforms | accounts for | depends on |
  contradicts | reinforces | anticipates | qualifies | highlights | affects | alters | approximates |
  assumes | balances | captures | clarifies | combines | compares | complements | conceals | confirms |
  connects | constrains | contributes | to | defines | demonstrates | describes | distinguishes | distorts |
  emphasizes | enables | encourages | establishes | exaggerates | excludes | explores | exposes | frames |
  generalizes | governs | ignores | implies | improves | includes | increases | indicates | influences |
  informs | integrates | interrupts | justifies | masks | measures | mirrors | modifies | motivates |
  narrows | obscures | outlines | parallels | precedes | prevents | produces | questions | reduces |
  reframes | refines | regulates | reinforces | replaces | represents | reshapes | resolves | restricts |
  simplifies | stabilizes | strengthens | suggests | summarizes | sustains | tests | traces | triggers |
  weakens
`);

export const OPENERS: string[] = list(`
  In practice, | For this reason, | By contrast, | As a result, | In the reading, | More generally, |
  At first glance, | On closer inspection, | In most cases, | According to the textbook, |
  In the example above, | Taken together, | Historically, | In the lab, | For the exam, | In this module, |
  Put differently, | In the lecture, | Before the midterm, | In contrast to last week, | From this angle, |
  In the discussion, | Strictly speaking, | In short, | As the case study shows, | In earlier units, |
  For the project, | In many textbooks, | In the seminar, | By the end of the term,
`);

/** Frames for generated sentences: A adjective, N noun, V verb, T subject term, O opener. */
export const FRAMES: string[] = [
  "O the A N of T V the A N.",
  "O T V the N, which is why the A N matters.",
  "The A N behind T V our N of the A N.",
  "O we treat T as a N that V the A N.",
  "A N about T often V the N of A N.",
  "O the N V how T and the A N interact.",
  "One A N is that T V the N.",
  "O students should ask which N of T V the A N.",
  "Why does the A N of T matter for the N we study?",
  "O a A N and a A N both V T.",
  "Consider a N in which T V the A N and the A N.",
  "O the A N is not T but the N that V it.",
  "The N V T only when the A N is A.",
  "O notice how the A N V the A N of T.",
];
