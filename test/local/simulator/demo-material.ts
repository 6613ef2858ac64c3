/**
 * The demo institution's course material, written like a real department's: a syllabus, lecture notes, exercise
 * sheets, pages, assignments, discussions and announcements for BIO 101 (two sections), HIST 210 and CS 240. Each
 * text is its own, except for a handful of deliberate near-duplicates, as they happen in real courses: the BIO 101
 * syllabus and lab-safety page copied into the second section with small edits, the HIST 210 essay guidelines
 * pasted into the assignment with a due date added, and a CS 240 reading guide re-posted with one question changed.
 * Exact copies are deliberate too (the "How to Submit Your Work" page, the shared study-skills deck, the second
 * section's lecture files), so dedup has links to make as well as conflicts to raise.
 */

export interface Lecture {
  title: string;
  /** prose of the lecture notes PDF, one entry per page */
  notes: string[];
  /** the exercise sheet (DOCX), one paragraph per question */
  exercises: string[];
}

export interface DemoPage {
  title: string;
  html: string;
  frontPage?: boolean;
}

export interface DemoAssignment {
  name: string;
  html: string;
  points: number;
}

export interface DemoCourse {
  name: string;
  code: string;
  syllabus: string;
  lectures: Lecture[];
  slides: { title: string; bullets: string[] }[];
  pages: DemoPage[];
  assignments: DemoAssignment[];
  discussions: { title: string; html: string }[];
  announcements: { title: string; html: string }[];
  quiz: { title: string; html: string };
  /** an unpublished page, as every real course has one */
  draft: string;
  readingList: string[];
  dataset: string[][];
}

const p = (...paragraphs: string[]): string => paragraphs.map((text) => `<p>${text}</p>`).join("\n");
const list = (...entries: string[]): string =>
  `<ul>${entries.map((entry) => `<li>${entry}</li>`).join("")}</ul>`;

export const SUBMIT_PAGE = [
  "<h2>How to Submit Your Work</h2>",
  p(
    "All written work is submitted through Canvas. Open the assignment, choose <em>Start Assignment</em>, attach your file or type your answer, then press <strong>Submit</strong>.",
  ),
  list(
    "Accepted formats: PDF, DOCX, plain text.",
    "You may resubmit until the due date; only the last attempt is graded.",
    "Late work loses ten percent per day unless an extension was agreed.",
  ),
  p("If the upload fails, email your work to the instructor before the deadline and keep the error message."),
].join("\n");

function bioSyllabus(section: string, instructor: string, meetings: string, room: string): string {
  return [
    `<h2>BIO 101 Introduction to Biology, Section ${section}</h2>`,
    p(
      `Instructor: ${instructor}. Lectures ${meetings} in ${room}; laboratory sessions on Fridays in the Life Sciences teaching lab.`,
      "This course introduces the chemistry of life, the structure and function of cells, energy flow through living systems, Mendelian and molecular genetics, and evolution by natural selection. No prior biology is assumed, but you should be comfortable with high-school algebra and basic chemistry.",
    ),
    "<h3>Learning outcomes</h3>",
    list(
      "Explain how the properties of water and carbon make life possible.",
      "Describe the organelles of eukaryotic cells and the role of each.",
      "Trace the flow of energy through glycolysis, the citric acid cycle and oxidative phosphorylation.",
      "Predict the outcome of genetic crosses and relate genotype to phenotype.",
      "Evaluate evidence for evolution from fossils, anatomy and DNA sequences.",
    ),
    "<h3>Assessment</h3>",
    list(
      "Laboratory reports (4): 30%",
      "Weekly online quizzes: 15%",
      "Midterm examination: 20%",
      "Final examination: 35%",
    ),
    "<h3>Textbook</h3>",
    p(
      "Campbell Biology in Focus, third edition. Copies are on two-hour reserve at the science library; older editions are fine for the readings.",
    ),
  ].join("\n");
}

const LAB_SAFETY_RULES = [
  "Wear closed-toe shoes and tie back long hair before entering the lab.",
  "Lab coats and safety goggles stay on for the whole session, including clean-up.",
  "No food, drink or chewing gum at the benches; leave them in the lockers outside.",
  "Report every spill, cut or broken glass to the teaching assistant at once.",
  "Dispose of biological waste in the red bins and sharps in the yellow containers only.",
  "Wash your hands with soap before you leave, even if you wore gloves.",
];

function labSafety(extraRule: string | null): string {
  return [
    "<h2>Lab Safety Rules</h2>",
    p(
      "These rules apply to every laboratory session. A student who ignores them will be asked to leave the lab.",
    ),
    `<ol>${[...LAB_SAFETY_RULES, ...(extraRule ? [extraRule] : [])].map((rule) => `<li>${rule}</li>`).join("")}</ol>`,
    p(
      "Sign the safety acknowledgement in week one; you cannot take part in a lab before you have signed it.",
    ),
  ].join("\n");
}

const BIO_LECTURES: Lecture[] = [
  {
    title: "Water, carbon and the molecules of life",
    notes: [
      "Water is a polar molecule: the oxygen atom pulls electrons away from the two hydrogens, so each molecule carries a slight negative charge on one side and a slight positive charge on the other. Hydrogen bonds between neighbouring molecules explain cohesion, the high specific heat of lakes and oceans, and why ice floats.",
      "Carbon forms four covalent bonds and therefore builds chains, branches and rings. The four classes of biological macromolecules, carbohydrates, lipids, proteins and nucleic acids, are assembled from small monomers by dehydration reactions and broken down again by hydrolysis.",
    ],
    exercises: [
      "Explain, using hydrogen bonding, why sweating cools the body.",
      "Draw glucose in its ring form and mark the carbon atoms one to six.",
      "Which class of macromolecule stores hereditary information, and what are its monomers called?",
    ],
  },
  {
    title: "Cell structure and membranes",
    notes: [
      "Prokaryotic cells lack a nucleus and membrane-bound organelles; eukaryotic cells compartmentalise their chemistry. The nucleus holds the chromosomes, ribosomes translate messenger RNA, the rough endoplasmic reticulum folds secreted proteins and the Golgi apparatus sorts and ships them.",
      "The plasma membrane is a fluid mosaic of phospholipids with proteins floating in it. Small nonpolar molecules diffuse straight through, while ions and sugars need channels or carriers. Active transport, such as the sodium-potassium pump, spends ATP to move solutes against their gradient.",
    ],
    exercises: [
      "List three differences between a bacterial cell and a human liver cell.",
      "Predict what happens to a red blood cell placed in distilled water, and explain why.",
      "Why does the sodium-potassium pump need ATP when a channel protein does not?",
    ],
  },
  {
    title: "Cellular respiration",
    notes: [
      "Cells harvest the energy of glucose in three stages. Glycolysis in the cytoplasm splits glucose into two pyruvate molecules and yields a small amount of ATP. In the mitochondrial matrix the citric acid cycle oxidises the remaining carbon to carbon dioxide and loads electrons onto NADH and FADH2.",
      "The electron transport chain in the inner mitochondrial membrane passes those electrons to oxygen and pumps protons into the intermembrane space. ATP synthase lets the protons flow back and uses their energy to make most of the cell's ATP, which is why we die within minutes without oxygen.",
    ],
    exercises: [
      "Where in the cell does each stage of respiration take place?",
      "Cyanide blocks the last complex of the electron transport chain. Explain why it stops ATP synthesis.",
      "Yeast deprived of oxygen still produce some ATP. How, and what do they release as waste?",
    ],
  },
  {
    title: "Mendelian genetics",
    notes: [
      "Gregor Mendel crossed pea plants that differed in single traits and counted the offspring. His ratios showed that each parent passes on one of its two copies of every gene, that the copies separate when gametes form, and that genes on different chromosomes assort independently.",
      "A Punnett square lists the possible gametes of each parent and predicts the expected proportions of genotypes. A monohybrid cross of two heterozygotes gives a three to one ratio of dominant to recessive phenotypes; a test cross with a homozygous recessive reveals an unknown genotype.",
    ],
    exercises: [
      "In peas, purple flowers are dominant over white. Give the expected ratios for a cross of two heterozygous plants.",
      "Design a test cross that tells whether a purple-flowered plant is homozygous.",
      "Why did Mendel's results depend on counting large numbers of offspring?",
    ],
  },
];

const BIO_01: DemoCourse = {
  name: "BIO 101: Introduction to Biology (Section 01)",
  code: "BIO-101-01",
  syllabus: bioSyllabus("01", "Dr. Maria Okafor", "Monday, Wednesday and Friday at 9:00", "Hodgkin Hall 120"),
  lectures: BIO_LECTURES,
  slides: [
    {
      title: "The cell theory",
      bullets: ["All living things are made of cells", "Cells come only from other cells"],
    },
    {
      title: "Organelles at a glance",
      bullets: ["Nucleus: DNA", "Mitochondria: ATP", "Chloroplasts: sugar"],
    },
  ],
  pages: [
    {
      title: "Welcome to BIO 101",
      frontPage: true,
      html: [
        "<h2>Welcome to BIO 101</h2>",
        p(
          "This is the home of Section 01. Start with the syllabus and the lab safety rules, then work through the first module before our Monday lecture.",
          "Office hours are on Tuesdays from two to four in room 214 of the Life Sciences building, or by appointment.",
        ),
      ].join("\n"),
    },
    { title: "Lab Safety Rules", html: labSafety(null) },
    {
      title: "Laboratory report template",
      html: [
        "<h2>Writing a laboratory report</h2>",
        p(
          "Every report has five parts: a one-paragraph introduction that states the question, a methods section precise enough for a classmate to repeat the experiment, results with labelled tables and figures, a discussion that compares your numbers with what theory predicts, and a list of references.",
          "Keep the raw data from your lab notebook; the teaching assistant may ask to see it.",
        ),
      ].join("\n"),
    },
    { title: "How to Submit Your Work", html: SUBMIT_PAGE },
  ],
  assignments: [
    {
      name: "Lab report 1: Osmosis in potato tissue",
      points: 20,
      html: p(
        "Measure the change in mass of potato cylinders after thirty minutes in sucrose solutions of six concentrations. Plot percentage change against concentration and estimate the concentration at which the tissue neither gains nor loses water.",
      ),
    },
    {
      name: "Lab report 2: Enzyme activity and temperature",
      points: 20,
      html: p(
        "Time the breakdown of hydrogen peroxide by catalase from liver extract at five temperatures between ten and sixty degrees. Explain the shape of your curve in terms of collision rates and denaturation.",
      ),
    },
  ],
  discussions: [
    {
      title: "Is a virus alive?",
      html: p(
        "Viruses carry genes and evolve, but they cannot make proteins or ATP on their own. Using the characteristics of life from chapter one, argue for or against calling a virus a living thing. Reply to at least one classmate who took the other side.",
      ),
    },
  ],
  announcements: [
    {
      title: "First lab this Friday",
      html: p(
        "Our first laboratory session is this Friday. Bring your signed safety acknowledgement, goggles and a pencil; lab coats are provided.",
      ),
    },
    {
      title: "Midterm review session",
      html: p(
        "I will run a review session next Thursday at six in Hodgkin Hall 120. Bring questions from the first four lectures; I will not present new material.",
      ),
    },
  ],
  quiz: {
    title: "Quiz 1: Cells and membranes",
    html: p(
      "Ten multiple-choice questions on lectures one and two. You have twenty minutes and one attempt.",
    ),
  },
  draft: p(
    "Next term: swap the enzyme and osmosis labs so the potato lab does not clash with the midterm, and order twice as much catalase.",
  ),
  readingList: [
    "Campbell Biology in Focus, chapter 2: The chemical context of life",
    "Campbell Biology in Focus, chapter 4: A tour of the cell",
    "Campbell Biology in Focus, chapter 6: An introduction to metabolism",
    "Lane, N. Power, Sex, Suicide: Mitochondria and the Meaning of Life, chapter 1 (optional)",
  ],
  dataset: [
    ["sucrose_molar", "mass_change_percent"],
    ["0.0", "12.4"],
    ["0.2", "6.1"],
    ["0.4", "0.8"],
    ["0.6", "-5.3"],
    ["0.8", "-9.7"],
  ],
};

/** Section 02 shares the lectures and most pages; its syllabus and lab rules were copied and edited. */
const BIO_02: DemoCourse = {
  ...BIO_01,
  name: "BIO 101: Introduction to Biology (Section 02)",
  code: "BIO-101-02",
  syllabus: bioSyllabus("02", "Dr. James Lindqvist", "Tuesday and Thursday at 13:00", "Franklin Hall 005"),
  pages: [
    {
      title: "Welcome to Section 02",
      frontPage: true,
      html: [
        "<h2>Welcome to Section 02</h2>",
        p(
          "Hello and welcome! I am Dr. Lindqvist. Our section meets on Tuesday and Thursday afternoons; please read the syllabus before the first meeting.",
          "My office is Franklin Hall 310. Drop in on Wednesday mornings or book a slot through the calendar.",
        ),
      ].join("\n"),
    },
    {
      title: "Lab Safety Rules",
      html: labSafety("Keep your phone in your bag: touch screens and gloves do not mix."),
    },
    { title: "How to Submit Your Work", html: SUBMIT_PAGE },
  ],
  announcements: [
    {
      title: "Room change for Thursday",
      html: p(
        "Thursday's lecture moves to Franklin Hall 002 because of a fire drill in our usual room. We are back in 005 next week.",
      ),
    },
  ],
};

const ESSAY_GUIDELINES = [
  "<h2>Research Essay Guidelines</h2>",
  p(
    "Your research essay of 2,500 to 3,000 words answers a historical question of your own about Europe between 1450 and 1750. It must rest on at least three primary sources, read in translation if necessary, and engage with at least two historians who disagree.",
    "A strong essay states its argument in the first paragraph, organises evidence around that argument rather than in chronological order, and acknowledges the limits of its sources. Cite in Chicago notes-bibliography style, including archive and folio numbers for manuscripts.",
  ),
  list(
    "Proposal with question and sources: week 5",
    "Annotated bibliography: week 8",
    "Final essay: week 12",
  ),
].join("\n");

const HIST_210: DemoCourse = {
  name: "HIST 210: Early Modern Europe, 1450-1750",
  code: "HIST-210",
  syllabus: [
    "<h2>HIST 210 Early Modern Europe, 1450-1750</h2>",
    p(
      "Instructor: Prof. Hélène Marchetti. Seminars on Mondays and Wednesdays, 11:00 to 12:30, in the Whitfield Library seminar room.",
      "From the printing press to the eve of the French Revolution, Europe was remade by religious division, overseas empire, the fiscal-military state and new ways of knowing the natural world. We read the period through its own documents: sermons, trial records, merchants' letters and travel accounts.",
    ),
    "<h3>Requirements</h3>",
    list("Seminar participation and source reports: 25%", "Two short papers: 30%", "Research essay: 45%"),
  ].join("\n"),
  lectures: [
    {
      title: "Print and the Reformation",
      notes: [
        "Within fifty years of Gutenberg's Bible, presses operated in more than two hundred European towns. Luther's pamphlets of the 1520s were the first mass media campaign: short, cheap, in German, and illustrated with woodcuts that mocked the papacy.",
        "Historians disagree on how far print caused the Reformation. Elizabeth Eisenstein saw a communications revolution; her critics point to the oral and visual culture through which most people, who could not read, met the new teaching.",
      ],
      exercises: [
        "Compare the title pages of two Luther pamphlets in the course reader. Who was their intended audience?",
        "Summarise Eisenstein's argument in three sentences, then state the strongest objection to it.",
      ],
    },
    {
      title: "The Atlantic world and the Columbian exchange",
      notes: [
        "The voyages of the 1490s connected ecosystems that had been separate for millions of years. Maize and potatoes fed Europe's growing population, while smallpox and measles killed the majority of the Americas' indigenous people within a century.",
        "Silver from Potosí financed Spanish armies and flowed through Seville to Antwerp, Genoa and ultimately China, tying the early modern economy into the first global trade network.",
      ],
      exercises: [
        "Using the Potosí mining census, estimate the labour required to produce one ton of silver.",
        "Which crops crossed the Atlantic in each direction, and with what demographic consequences?",
      ],
    },
    {
      title: "The witch trials",
      notes: [
        "Between 1560 and 1660 perhaps forty to sixty thousand people were executed for witchcraft, most of them women, most in the Holy Roman Empire. Trials peaked where central authority was weak and local courts could use torture without appeal.",
        "Trial records preserve the voices of accused villagers, filtered through the questions of their interrogators. Reading them requires attention to what the court wanted to hear.",
      ],
      exercises: [
        "Read the Bamberg trial of Johannes Junius and his letter to his daughter. What does the letter reveal that the record hides?",
      ],
    },
  ],
  slides: [
    { title: "Europe in 1450", bullets: ["Fragmented authority", "One Latin church", "Mediterranean trade"] },
    {
      title: "Europe in 1750",
      bullets: ["Dynastic states with standing armies", "Confessional division", "Atlantic empires"],
    },
  ],
  pages: [
    {
      title: "Seminar preparation",
      frontPage: true,
      html: [
        "<h2>Preparing for seminar</h2>",
        p(
          "Each week two students present a short source report: who wrote the document, for whom, and why it survives. Everyone else brings one question about the reading, written down, to start the discussion.",
        ),
      ].join("\n"),
    },
    { title: "Research Essay Guidelines", html: ESSAY_GUIDELINES },
    {
      title: "Using the Whitfield special collections",
      html: p(
        "Pamphlets printed before 1800 are kept in special collections and read in the reading room only. Request items two working days in advance and bring a pencil; pens are not allowed near the originals.",
      ),
    },
    { title: "How to Submit Your Work", html: SUBMIT_PAGE },
  ],
  assignments: [
    {
      name: "Short paper 1: A Reformation pamphlet",
      points: 15,
      html: p(
        "In 1,000 words, analyse one pamphlet from the course reader: its author, its printer, the arguments it makes and the audience it imagines. Quote the text sparingly and always with a page reference.",
      ),
    },
    {
      name: "Research essay",
      points: 45,
      // Pasted from the guidelines page, with the submission line added: a near-duplicate by design.
      html: `${ESSAY_GUIDELINES}\n<p>Submit the final essay as one PDF by Friday of week 12.</p>`,
    },
  ],
  discussions: [
    {
      title: "Was there a scientific revolution?",
      html: p(
        "Steven Shapin begins his book by saying there was no such thing as the Scientific Revolution, and this is a book about it. What does he mean, and do you agree?",
      ),
    },
  ],
  announcements: [
    {
      title: "Reader available at the bookstore",
      html: p(
        "The printed course reader is now at the campus bookstore. A scanned copy is in the Files area, but please bring paper to seminar so we can annotate together.",
      ),
    },
  ],
  quiz: {
    title: "Map quiz: Europe in 1600",
    html: p(
      "Locate fifteen states, cities and rivers on a blank map of Europe around 1600. Fifteen minutes.",
    ),
  },
  draft: p(
    "Possible new seminar for the spring: the Dutch Republic's tulip trade, with the Amsterdam notarial archive as the source base.",
  ),
  readingList: [
    "Wiesner-Hanks, M. Early Modern Europe, 1450-1789, chapters 1-4",
    "Eisenstein, E. The Printing Revolution in Early Modern Europe",
    "Roper, L. Witch Craze: Terror and Fantasy in Baroque Germany",
    "Shapin, S. The Scientific Revolution",
  ],
  dataset: [
    ["decade", "witchcraft_executions_estimate"],
    ["1580s", "3100"],
    ["1590s", "4400"],
    ["1620s", "5800"],
    ["1660s", "1900"],
  ],
};

const READING_GUIDE_QUESTIONS = [
  "What invariant does a binary search tree maintain, and which operations rely on it?",
  "Why does inserting keys in sorted order produce a tree of height n?",
  "How does a red-black tree keep its height logarithmic? Describe the two kinds of rotation.",
  "Compare searching a balanced tree with searching a hash table: when would you choose each?",
  "Work through the deletion example in section 12.3 and draw the tree after every step.",
];

function readingGuide(title: string, questions: string[]): string {
  return [
    `<h2>${title}</h2>`,
    p(
      "Read chapters 12 and 13 of CLRS before Thursday. Use these questions to check that you understood the text.",
    ),
    `<ol>${questions.map((question) => `<li>${question}</li>`).join("")}</ol>`,
    p("Bring your answers to the tutorial; they are not graded."),
  ].join("\n");
}

const CS_240: DemoCourse = {
  name: "CS 240: Data Structures",
  code: "CS-240",
  syllabus: [
    "<h2>CS 240 Data Structures</h2>",
    p(
      "Instructor: Dr. Priya Raman. Lectures on Tuesday and Thursday at 10:00 in Turing Auditorium; tutorials on Fridays in the computing labs.",
      "We study how to organise data so that programs are fast and correct: arrays and linked lists, stacks and queues, hash tables, trees and heaps, and graphs, together with the asymptotic analysis that tells them apart. Programming assignments are in Java; you need CS 140 or equivalent experience.",
    ),
    "<h3>Grading</h3>",
    list("Programming assignments (4): 40%", "Tutorial exercises: 10%", "Midterm: 20%", "Final exam: 30%"),
  ].join("\n"),
  lectures: [
    {
      title: "Asymptotic analysis",
      notes: [
        "We compare algorithms by how their running time grows with the input size n, ignoring constant factors and small inputs. An algorithm is O(f(n)) if, beyond some n, its running time stays below a constant multiple of f(n). Binary search is O(log n); comparing every pair of elements is O(n squared).",
        "Amortised analysis averages the cost of a sequence of operations. Appending to a dynamic array occasionally copies the whole array, but doubling the capacity each time keeps the average cost of an append constant.",
      ],
      exercises: [
        "Prove that 3n squared plus 10n is O(n squared) by giving the constants.",
        "Why does growing a dynamic array by a fixed ten slots make appends O(n) amortised?",
      ],
    },
    {
      title: "Hash tables",
      notes: [
        "A hash table maps a key to a slot with a hash function and resolves collisions either by chaining, keeping a list per slot, or by open addressing, probing for the next free slot. With a good hash function and a load factor below a constant, lookups take expected constant time.",
        "When the load factor passes a threshold the table is resized and every key rehashed. Java's HashMap resizes at three quarters full and turns long chains into small balanced trees.",
      ],
      exercises: [
        "Insert the keys 12, 44, 13, 88, 23, 94, 11 into a table of size 7 with linear probing, and show the final array.",
        "What goes wrong if every key hashes to the same slot? Give the resulting cost of a lookup.",
      ],
    },
    {
      title: "Heaps and priority queues",
      notes: [
        "A binary heap is a complete binary tree stored in an array, where every parent is no larger than its children. Insertion appends the element and sifts it up; removing the minimum moves the last element to the root and sifts it down, both in O(log n) time.",
        "Building a heap from n unsorted elements takes only linear time when we sift down from the last internal node, which is the first step of heapsort.",
      ],
      exercises: [
        "Draw the heap after inserting 5, 3, 8, 1, 9, 2 into an empty min-heap.",
        "Explain why bottom-up heap construction is O(n) rather than O(n log n).",
      ],
    },
  ],
  slides: [
    {
      title: "Choosing a structure",
      bullets: ["What operations dominate?", "How large is n?", "Is order needed?"],
    },
    {
      title: "Costs to remember",
      bullets: ["Array index: O(1)", "Balanced tree search: O(log n)", "Hash lookup: O(1) expected"],
    },
  ],
  pages: [
    {
      title: "Getting started with the assignments",
      frontPage: true,
      html: [
        "<h2>Getting started</h2>",
        p(
          "Clone the starter repository for each assignment from the course GitLab, run the provided tests with <code>./gradlew test</code>, and push before the deadline. The autograder runs the same tests plus hidden ones on your last pushed commit.",
        ),
      ].join("\n"),
    },
    { title: "Week 3 Reading Guide", html: readingGuide("Week 3 Reading Guide", READING_GUIDE_QUESTIONS) },
    {
      // Re-posted a week later with one question replaced: a near-duplicate by design.
      title: "Week 3 Reading Guide (revised)",
      html: readingGuide(
        "Week 3 Reading Guide (revised)",
        READING_GUIDE_QUESTIONS.map((question, index) =>
          index === 4
            ? "Work through the insertion example in section 13.3 and draw the tree after every rotation."
            : question,
        ),
      ),
    },
    { title: "How to Submit Your Work", html: SUBMIT_PAGE },
  ],
  assignments: [
    {
      name: "Assignment 1: Dynamic arrays",
      points: 10,
      html: p(
        "Implement a generic growable array with amortised constant-time append, and measure the time of one million appends with growth factors of 1.5 and 2.",
      ),
    },
    {
      name: "Assignment 2: A spell checker with hash tables",
      points: 10,
      html: p(
        "Build a spell checker that loads a 100,000-word dictionary into your own hash table and suggests corrections within one edit. Report how the load factor affects lookup time.",
      ),
    },
  ],
  discussions: [
    {
      title: "Favourite bug of the week",
      html: p(
        "Describe a bug you fought this week, how you found it, and what test would have caught it sooner. The best stories are the embarrassing ones.",
      ),
    },
  ],
  announcements: [
    {
      title: "Autograder back online",
      html: p(
        "The autograder was down on Sunday evening; every submission pushed before Monday noon counts as on time for Assignment 1.",
      ),
    },
  ],
  quiz: {
    title: "Quiz: Big-O warm-up",
    html: p("Eight short questions on growth rates. Unlimited attempts; the best score counts."),
  },
  draft: p(
    "Assignment 3 idea: a tiny key-value store with a write-ahead log, graded on crash recovery tests rather than speed.",
  ),
  readingList: [
    "Cormen, Leiserson, Rivest and Stein, Introduction to Algorithms, chapters 3, 6, 11-13",
    "Sedgewick and Wayne, Algorithms, section 3.4 on hash tables",
    "Bloch, J. Effective Java, item 11 on hashCode",
  ],
  dataset: [
    ["n", "append_ms_factor_1_5", "append_ms_factor_2"],
    ["100000", "4.1", "3.2"],
    ["1000000", "39.0", "30.5"],
    ["10000000", "420.7", "318.9"],
  ],
};

export const DEMO_COURSES: readonly DemoCourse[] = [BIO_01, BIO_02, HIST_210, CS_240];

/** The slides of the study-skills workshop every course shares as one identical PPTX. */
export const SHARED_DECK: string[][] = [
  ["Study Skills Workshop", "Making the most of this semester"],
  [
    "Plan your week",
    "Block time for reading, practice and review",
    "Start assignments the day they are posted",
  ],
  ["Active reading", "Skim headings first", "Write one question per section", "Summarise in your own words"],
  ["Getting help", "Office hours every week", "Use the course discussion board"],
];
