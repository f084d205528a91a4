// Package matching links other departments' records to the population
// registry: police deaths and hukou changes, civil-affairs marriages,
// birth medical certificates, vaccination records, pension retirements
// and disability certificates (the kinds of extract, see Kinds).
//
// It reads an extract as departments send it — dirty: old 15-digit ID
// numbers, wrong or lower-case check characters, missing numbers,
// homophone and variant characters in names, traditional characters,
// dates in many formats or with day and month exchanged, full-width
// digits, stray spaces — into Rows, reporting every problem with its row,
// column and a reason in Chinese and English and dropping nothing (Parse).
// Each row has a fingerprint, so that a file imported twice, or files
// that overlap, are recognised.
//
// A Matcher links each role of a row (the person; mother and father;
// husband and wife; the child) to a registry person held in an Index
// built from persons streamed in: exactly on a valid ID number, otherwise
// by a scored comparison of the ID number's digits, the name (characters,
// pinyin with every reading of polyphonic characters and surnames read as
// surnames, homophones, variants), the birth date (exchanged day and
// month, slipped digits), sex, place and family ties, with blocking so
// that the cost stays linear. Each role is matched, sent to review, or
// unmatched, by thresholds (Params). The same matcher finds probable
// duplicates inside the registry (Matcher.Duplicates).
//
// For measuring all this, GenerateExtract writes dirty extracts of every
// kind from a synthetic county (package synth) with the truth apart, and
// Evaluate scores results against the truth. docs/matching.md describes
// the method and the measured accuracy.
//
// The package is domain code: it reads rows of cells through RowSource
// (package sheet opens files) and knows nothing of storage.
package matching
