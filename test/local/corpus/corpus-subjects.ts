/**
 * @module dedup/corpus-subjects
 * Per-subject raw material for the synthetic course corpus: course codes and titles, the subject's
 * key terms, and sentence and question templates of the kind teachers reuse across their pages.
 * Written for this project; placeholders in braces are filled by corpus.ts. Data only.
 */
import { list } from "./corpus-text";

export interface Subject {
  name: string;
  codes: string[];
  titles: string[];
  terms: string[];
  sentences: string[];
  questions: string[];
}

export const SUBJECTS: Subject[] = [
  {
    name: "biology",
    codes: list(`
      BIOL | BIO | LSCI
    `),
    titles: list(`
      Introduction to Cell Biology | Genetics and Evolution | Principles of Ecology
    `),
    terms: list(`
      mitosis | meiosis | the cell membrane | osmosis | ATP synthase | the Krebs cycle | DNA replication |
      transcription | translation | natural selection | genetic drift | allele frequency | the ribosome |
      photosynthesis | enzyme kinetics | homeostasis | the endoplasmic reticulum | signal transduction |
      population density | trophic levels | the nitrogen cycle | Mendelian inheritance | gene expression |
      the mitochondrion | chromosomal crossover | speciation | phylogenetic trees | cellular respiration
    `),
    sentences: [
      "In this unit we examine how {term} contributes to the survival of the organism.",
      "Students often confuse {term} with {term2}, but the two processes differ in where they occur.",
      "The diagram on page {n} shows {term} in a typical eukaryotic cell.",
      "Lab {n} asks you to measure the rate of {term} under three temperature conditions.",
      "Recall that {term} depends on a steady supply of energy from {term2}.",
      "A mutation affecting {term} can disrupt {term2} and lead to disease.",
      "Read chapter {n} before class and take notes on {term} and {term2}.",
      "We will compare {term} in plants and animals and discuss why the differences matter.",
      "The experiment controls for temperature so that changes in {term} can be attributed to the treatment.",
      "Evolutionary biologists explain {term} as the outcome of selection acting over many generations.",
      "Your lab report should describe the hypothesis, the method, and how {term} was quantified.",
      "Field data collected in week {week} will be used to estimate {term} at each site.",
      "Think about how {term} would change if the cell lost access to oxygen.",
      "The review article linked below summarizes recent findings on {term}.",
      "By the end of the module you should be able to explain {term} to a classmate without notes.",
    ],
    questions: [
      "Which of the following best describes {term}?",
      "What would happen to {term} if {term2} stopped?",
      "Where in the cell does {term} take place?",
      "Explain the relationship between {term} and {term2}.",
    ],
  },
  {
    name: "history",
    codes: list(`
      HIST | HIS | AMST
    `),
    titles: list(`
      The Modern World since 1750 | United States History to 1877 | Europe in the Age of Revolutions
    `),
    terms: list(`
      the Industrial Revolution | the French Revolution | the Congress of Vienna | abolitionism |
      the Atlantic slave trade | the Enlightenment | nationalism | the Meiji Restoration | imperialism |
      the Treaty of Versailles | the Great Depression | the New Deal | decolonization | the Cold War |
      urbanization | the printing press | the Reformation | mercantilism | the Haitian Revolution |
      the suffrage movement | Reconstruction | the Scramble for Africa | the Opium Wars | total war
    `),
    sentences: [
      "Historians still debate whether {term} was a cause or a consequence of {term2}.",
      "The primary sources for week {week} show how ordinary people experienced {term}.",
      "Compare two accounts of {term} and explain why their authors disagree.",
      "Our discussion will connect {term} to the longer story of {term2}.",
      "The map on page {n} traces the spread of {term} across the region.",
      "Pay attention to who wrote each document about {term} and for what audience.",
      "Many textbooks present {term} as inevitable, but contemporaries saw several possible outcomes.",
      "The lecture slides summarize the economic background of {term}.",
      "Consider how {term} changed the lives of workers, women, and colonized peoples.",
      "Your essay should take a clear position on the significance of {term}.",
      "Read the excerpt from chapter {n} and identify the argument the author makes about {term}.",
      "We end the unit by asking how {term} shaped the world that followed {term2}.",
      "Newspapers of the period described {term} in strikingly different terms.",
      "The timeline in the module overview places {term} alongside {term2}.",
    ],
    questions: [
      "What were the main causes of {term}?",
      "How did {term} influence {term2}?",
      "Which group benefited most from {term}, and why?",
      "Evaluate one primary source about {term}.",
    ],
  },
  {
    name: "computing",
    codes: list(`
      CS | CSCI | INFO
    `),
    titles: list(`
      Introduction to Programming | Data Structures and Algorithms | Database Systems
    `),
    terms: list(`
      recursion | a hash table | a binary search tree | dynamic programming | Big-O notation | a linked list |
      a relational schema | SQL joins | normalization | unit testing | version control | an index |
      a priority queue | graph traversal | breadth-first search | memoization | garbage collection |
      a foreign key | transaction isolation | an abstract data type | exception handling | a stack frame |
      merge sort | quicksort | a closure | type inference | concurrency | a race condition
    `),
    sentences: [
      "This week we implement {term} and measure how it performs on large inputs.",
      "A common bug when using {term} is forgetting to handle the empty case.",
      "Project {n} asks you to combine {term} with {term2} to solve a scheduling problem.",
      "Write unit tests that cover the edge cases of {term} before you optimize it.",
      "The starter code already provides {term}; you will add {term2} on top of it.",
      "Explain in your README why you chose {term} instead of {term2}.",
      "The running time of {term} is analysed in section {n} of the textbook.",
      "In lab {n} you will trace {term} by hand on a small example.",
      "Submissions that fail the autograder tests for {term} can be resubmitted once.",
      "Think about the memory cost of {term} when the input no longer fits in cache.",
      "The lecture video walks through {term} line by line.",
      "Your solution must not use library functions that already implement {term}.",
      "Office hours this week will focus on debugging {term}.",
      "Compare the iterative and recursive versions of {term} and report which is faster.",
      "Use the provided dataset of {n} thousand rows to test {term}.",
    ],
    questions: [
      "What is the worst-case running time of {term}?",
      "When would you choose {term} over {term2}?",
      "Write a function that uses {term} to solve the problem below.",
      "Identify the bug in the following code that uses {term}.",
    ],
  },
  {
    name: "statistics",
    codes: list(`
      STAT | MATH | DATA
    `),
    titles: list(`
      Elementary Statistics | Probability and Inference | Regression Analysis
    `),
    terms: list(`
      the sampling distribution | a confidence interval | the null hypothesis | a p-value |
      statistical power | the central limit theorem | linear regression | the correlation coefficient |
      a residual plot | the standard error | a chi-square test | analysis of variance |
      the binomial distribution | a random sample | selection bias | a Type I error | the median |
      the interquartile range | a z-score | the normal distribution | multicollinearity |
      a confounding variable | a bootstrap estimate
    `),
    sentences: [
      "Homework {n} practises computing {term} from a small data set by hand.",
      "Remember that {term} says nothing about causation unless the data came from an experiment.",
      "Use the statistical software to check your calculation of {term}.",
      "A frequent mistake is to interpret {term} as the probability that {term2} is true.",
      "The simulation in this module shows how {term} behaves as the sample size grows.",
      "Report {term} with two decimal places and state the units.",
      "Section {n} of the textbook derives {term} from first principles.",
      "In the project you will choose a public data set and estimate {term}.",
      "Explain in plain language what {term} means for the study described above.",
      "The worked example compares {term} with {term2} on the same data.",
      "Check the assumptions behind {term} before you report any conclusions.",
      "We will use {term} to decide whether the observed difference could be due to chance.",
      "Graph the data first; {term} can be misleading when outliers are present.",
      "The practice exam in week {week} contains three questions on {term}.",
    ],
    questions: [
      "Interpret {term} in the context of the study.",
      "Which assumption is required for {term} to be valid?",
      "Compute {term} for the data in the table.",
      "How does {term} change when the sample size doubles?",
    ],
  },
  {
    name: "literature",
    codes: list(`
      ENGL | LIT | WRIT
    `),
    titles: list(`
      Introduction to Literary Studies | The Nineteenth-Century Novel | Writing about Literature
    `),
    terms: list(`
      the unreliable narrator | free indirect discourse | the epistolary novel | dramatic irony | the sonnet |
      the bildungsroman | symbolism | the gothic tradition | point of view | the frame narrative | satire |
      the tragic hero | realism | modernism | an extended metaphor | the thesis statement | close reading |
      the Victorian marriage plot | stream of consciousness | the pastoral | allegory | characterization
    `),
    sentences: [
      "As you read chapters {n} to {n2}, mark passages where {term} shapes our sympathy.",
      "Our seminar will ask how {term} works differently in poetry and in prose.",
      "Your essay must develop an argument about {term} supported by quotations.",
      "Critics have linked {term} to the rise of {term2} in the period.",
      "Bring two passages to class that illustrate {term}.",
      "The discussion board prompt for week {week} asks you to respond to a classmate on {term}.",
      "Notice how the author uses {term} to delay the reader's understanding.",
      "A strong thesis about {term} is specific, arguable, and supported by the text.",
      "The optional reading explains the history of {term} in the English novel.",
      "Revise your draft by strengthening the connection between {term} and your evidence.",
      "We will compare {term} in two novels written a generation apart.",
      "Close reading means paying attention to {term} at the level of individual words.",
      "Peer review comments should address the essay's use of {term}.",
      "The author's letters reveal what she thought about {term}.",
    ],
    questions: [
      "How does the author use {term} in the opening chapter?",
      "Compare {term} and {term2} in two of the assigned texts.",
      "Identify an example of {term} and explain its effect.",
      "What does {term} reveal about the narrator?",
    ],
  },
];
