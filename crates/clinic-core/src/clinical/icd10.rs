//! ICD-10-CM, the code set diagnoses are coded in, and a search over it as the doctor types.
//!
//! The table is derived from the CDC's public-domain release by `scripts/icd10/derive.py` and
//! embedded (`data/icd10cm/SOURCE.md` says which release). It is decoded into an index the first
//! time it is used, which takes 0.2-0.3 s in a release build, and kept for the life of the process;
//! the shell can call [`chapters`] at start-up so that the doctor's first keystroke does not wait.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;

use crate::domain::fold;

/// A code a diagnosis can be recorded with: only the codes ICD-10-CM accepts on a record (its
/// leaves, "billable"); a category that has subdivisions, such as E11, is not one.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Icd10Code {
    /// Canonical form, with its dot: "E11.9", "I10", "S72.001A".
    pub code: String,
    pub description: String,
    /// The chapter's number, 1 to 22 (see [`chapters`]).
    pub chapter: u8,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Chapter {
    pub number: u8,
    /// The codes it covers, as ICD-10-CM writes it: "E00-E89".
    pub range: String,
    pub title: String,
}

/// The code set's entry for `code`, written any way a person might ("e119", " E11.9 ").
pub fn lookup(code: &str) -> Option<&'static Icd10Code> {
    let index = index();
    let code = dotted(&bare(code));
    let at = index.by_code.binary_search_by(|&id| index.code(id).cmp(&code)).ok()?;
    Some(&index.codes[index.by_code[at] as usize])
}

/// Codes for what has been typed so far, best first, at most `limit`.
///
/// Something that looks like a code ("e11", "J45.9") matches the codes starting with it, shorter
/// (more general) codes first, then in code order; so a code typed in full is first.
///
/// Anything else matches the descriptions having, for every word typed, a word starting with it
/// ("diab type 2"), ignoring case and accents. The more general conditions come first, taken as
/// the descriptions of fewer words (see [`specificity`]), then shorter codes, then code order:
/// "asthma" gives "Other asthma" and "Unspecified asthma, uncomplicated" before "Family history of
/// asthma and other chronic lower respiratory diseases", which the code's length alone would put
/// first (Z82.5).
pub fn search(query: &str, limit: usize) -> Vec<&'static Icd10Code> {
    let index = index();
    let query = query.trim();
    if limit == 0 || query.is_empty() {
        return Vec::new();
    }
    let mut ids = if looks_like_code(query) { index.starting_with(&dotted(&bare(query)), limit) } else { Vec::new() };
    // "b12 deficiency", "h1n1": code-like words that are no code's start.
    if ids.is_empty() {
        ids = index.having_words(&words(&matchable(query)).collect::<Vec<_>>(), limit);
    }
    ids.into_iter().map(|id| &index.codes[id as usize]).collect()
}

/// The 22 chapters, in order.
pub fn chapters() -> &'static [Chapter] {
    &index().chapters
}

/// The chapter a recorded code belongs to, for reports by chapter.
pub fn chapter_of(code: &str) -> Option<&'static Chapter> {
    let number = lookup(code)?.chapter;
    chapters().iter().find(|c| c.number == number)
}

static CODES_TSV_GZ: &[u8] = include_bytes!("../../data/icd10cm/codes.tsv.gz");
static CHAPTERS_TSV: &str = include_str!("../../data/icd10cm/chapters.tsv");

struct Index {
    /// Ordered by a word search's rank (see [`search`]), so a code's id is that rank and the best
    /// matches are the smallest ids.
    codes: Vec<Icd10Code>,
    /// A code's rank for a code search (shorter first, then in code order), by id.
    code_rank: Vec<u32>,
    /// Ids in code order, for binary search. The dot is always after the third character, so
    /// this is also the order of the codes without their dots.
    by_code: Vec<u32>,
    /// Every description word, sorted: the words starting with what was typed are one run of ids.
    words: Vec<Box<str>>,
    /// The codes (ascending) whose description has word `w`:
    /// `postings[posting_starts[w]..posting_starts[w + 1]]`.
    posting_starts: Vec<u32>,
    postings: Vec<u32>,
    /// The words (ascending ids) of code `c`: `code_words[word_starts[c]..word_starts[c + 1]]`.
    word_starts: Vec<u32>,
    code_words: Vec<u32>,
    chapters: Vec<Chapter>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(Index::build)
}

/// The rows of a committed table (tab-separated, its first line the column names), each with its fields.
fn rows(table: &str) -> impl Iterator<Item = (&str, Vec<&str>)> {
    let body = table.split_once('\n').map_or("", |(_names, rest)| rest);
    body.lines().map(|line| (line, line.split('\t').collect()))
}

impl Index {
    fn build() -> Index {
        let mut text = String::new();
        flate2::read::GzDecoder::new(CODES_TSV_GZ)
            .read_to_string(&mut text)
            .expect("the embedded ICD-10-CM table is gzipped UTF-8");
        let mut codes: Vec<Icd10Code> = rows(&text)
            .map(|(line, fields)| {
                let [code, chapter, description] = fields[..] else { panic!("bad ICD-10-CM line: {line}") };
                let chapter = chapter.parse().expect("chapter number");
                Icd10Code { code: code.into(), description: description.into(), chapter }
            })
            .collect();
        codes.sort_by_cached_key(|c| (specificity(&c.description), c.code.len(), c.code.clone()));
        let mut by_code: Vec<u32> = (0..codes.len() as u32).collect();
        by_code.sort_by(|&a, &b| codes[a as usize].code.cmp(&codes[b as usize].code));
        let mut by_code_rank = by_code.clone();
        by_code_rank.sort_by_key(|&id| codes[id as usize].code.len()); // stable: in code order within a length
        let mut code_rank = vec![0u32; codes.len()];
        by_code_rank.iter().enumerate().for_each(|(rank, &id)| code_rank[id as usize] = rank as u32);

        // Each distinct word is kept once: numbered as first met, then renumbered in sorted order.
        let mut met: HashMap<Box<str>, u32> = HashMap::new();
        let per_code: Vec<Vec<u32>> = codes
            .iter()
            .map(|c| {
                words(&matchable(&c.description))
                    .map(|w| match met.get(w) {
                        Some(&id) => id,
                        None => {
                            let id = met.len() as u32;
                            met.insert(w.into(), id);
                            id
                        }
                    })
                    .collect()
            })
            .collect();
        let mut vocabulary: Vec<(Box<str>, u32)> = met.into_iter().collect();
        vocabulary.sort_unstable();
        let mut renumbered = vec![0u32; vocabulary.len()];
        vocabulary.iter().enumerate().for_each(|(id, (_, met_as))| renumbered[*met_as as usize] = id as u32);
        let (mut word_starts, mut code_words) = (vec![0], Vec::new());
        let mut counts = vec![0u32; vocabulary.len()];
        for code in per_code {
            let mut ids: Vec<u32> = code.into_iter().map(|w| renumbered[w as usize]).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.iter().for_each(|&w| counts[w as usize] += 1);
            code_words.extend(ids);
            word_starts.push(code_words.len() as u32);
        }
        // Counting sort: visiting codes in id order leaves each word's postings ascending.
        let mut posting_starts = vec![0u32];
        posting_starts.extend(counts.iter().scan(0, |sum, n| {
            *sum += n;
            Some(*sum)
        }));
        let mut next = posting_starts.clone();
        let mut postings = vec![0u32; code_words.len()];
        for code in 0..codes.len() {
            for &w in &code_words[word_starts[code] as usize..word_starts[code + 1] as usize] {
                postings[next[w as usize] as usize] = code as u32;
                next[w as usize] += 1;
            }
        }
        let words = vocabulary.into_iter().map(|(word, _)| word).collect();

        let chapters = rows(CHAPTERS_TSV)
            .map(|(line, fields)| {
                let [number, range, title] = fields[..] else { panic!("bad ICD-10-CM chapter: {line}") };
                Chapter { number: number.parse().expect("chapter number"), range: range.into(), title: title.into() }
            })
            .collect();
        Index { codes, code_rank, by_code, words, posting_starts, postings, word_starts, code_words, chapters }
    }

    fn code(&self, id: u32) -> &str {
        &self.codes[id as usize].code
    }

    /// The best `limit` codes starting with `prefix` (dotted).
    fn starting_with(&self, prefix: &str, limit: usize) -> Vec<u32> {
        let start = self.by_code.partition_point(|&id| self.code(id) < prefix);
        let len = self.by_code[start..].partition_point(|&id| self.code(id).starts_with(prefix));
        let mut ids = self.by_code[start..start + len].to_vec();
        let rank = |id: &u32| self.code_rank[*id as usize];
        if ids.len() > limit {
            ids.select_nth_unstable_by_key(limit, rank);
            ids.truncate(limit);
        }
        ids.sort_unstable_by_key(rank);
        ids
    }

    /// The best `limit` codes whose description has, for each of `typed`, a word starting with it.
    fn having_words(&self, typed: &[&str], limit: usize) -> Vec<u32> {
        let mut runs: Vec<Range<u32>> = typed.iter().map(|t| self.words_starting_with(t)).collect();
        if runs.is_empty() || runs.iter().any(Range::is_empty) {
            return Vec::new();
        }
        // Candidates come from the typed word with the fewest codes ("diab" rather than "type");
        // each candidate is then checked for the others on its own short list of words.
        let codes_of = |run: &Range<u32>| {
            let (start, end) = (self.posting_starts[run.start as usize], self.posting_starts[run.end as usize]);
            &self.postings[start as usize..end as usize]
        };
        runs.sort_by_key(|run| codes_of(run).len());
        let (driver, others) = runs.split_first().unwrap();
        // A bit per code: reading it back in order gives the candidates best first, without sorting.
        let mut candidates = vec![0u64; self.codes.len().div_ceil(64)];
        for &id in codes_of(driver) {
            candidates[id as usize / 64] |= 1 << (id % 64);
        }
        let mut found = Vec::new();
        for (block, mut bits) in candidates.into_iter().enumerate() {
            while bits != 0 {
                let id = (block * 64) as u32 + bits.trailing_zeros();
                bits &= bits - 1;
                if others.iter().all(|run| self.has_word_in(id, run)) {
                    found.push(id);
                    if found.len() == limit {
                        return found;
                    }
                }
            }
        }
        found
    }

    /// The run of word ids starting with `prefix`.
    fn words_starting_with(&self, prefix: &str) -> Range<u32> {
        let start = self.words.partition_point(|w| &**w < prefix);
        let len = self.words[start..].partition_point(|w| w.starts_with(prefix));
        start as u32..(start + len) as u32
    }

    fn has_word_in(&self, id: u32, run: &Range<u32>) -> bool {
        let (start, end) = (self.word_starts[id as usize], self.word_starts[id as usize + 1]);
        let words = &self.code_words[start as usize..end as usize];
        let at = words.partition_point(|&w| w < run.start);
        at < words.len() && words[at] < run.end
    }
}

/// A code as typed, without dots or spaces, in capitals: "e11.9 " → "E119".
fn bare(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '.').flat_map(char::to_uppercase).collect()
}

/// The dot goes after the category's three characters: "E119" → "E11.9"; "E11" and "E1" stay.
fn dotted(bare: &str) -> String {
    match bare.get(3..) {
        Some(rest) if !rest.is_empty() => format!("{}.{rest}", &bare[..3]),
        _ => bare.to_string(),
    }
}

/// "e11", "J45.9", "s72.001a", "qa0" (chapter 17 has QA0): a letter, then letters, digits and
/// dots, with a digit in the second or third place so that words ("flu", "asthma") are not
/// taken for codes. Seven characters at most, as the longest code.
fn looks_like_code(query: &str) -> bool {
    let bare = bare(query);
    let b = bare.as_bytes();
    !query.contains(char::is_whitespace)
        && (2..=7).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b[1..b.len().min(3)].iter().any(u8::is_ascii_digit)
}

/// A description or a query as it is matched: case and accents folded, and apostrophes dropped so
/// that "Alzheimer's" is found by "alzheimers" as well as "alzheimer".
fn matchable(text: &str) -> String {
    // Almost every description is ASCII; decomposing them all would double the index's build.
    let folded = if text.is_ascii() { text.to_ascii_lowercase() } else { fold(text) };
    folded.replace(['\'', '’'], "")
}

/// The words of a [`matchable`] text: what lies between anything but letters and digits.
fn words(matchable: &str) -> impl Iterator<Item = &str> {
    matchable.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// How specific a description is: its words, but for those in parentheses, which are ICD-10-CM's
/// "nonessential modifiers" ("Essential (primary) hypertension" is as general as "Renovascular
/// hypertension", and I10, the shorter code, comes first). Counted in place, as [`words`] would
/// split them, for it runs on every code while the index is built.
fn specificity(description: &str) -> usize {
    let (mut depth, mut count, mut in_word) = (0u32, 0, false);
    for c in description.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '\'' | '’' => continue,
            _ => {}
        }
        let letter = depth == 0 && c.is_alphanumeric();
        count += usize::from(letter && !in_word);
        in_word = letter;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(query: &str, limit: usize) -> Vec<&'static str> {
        search(query, limit).into_iter().map(|c| c.code.as_str()).collect()
    }

    #[test]
    fn lookup_accepts_a_code_written_any_way_and_answers_it_dotted() {
        for typed in ["E11.9", "e119", " E11.9 ", "e11 .9", "E.119"] {
            let code = lookup(typed).unwrap_or_else(|| panic!("{typed:?}"));
            assert_eq!(code.code, "E11.9");
            assert_eq!(code.description, "Type 2 diabetes mellitus without complications");
            assert_eq!(code.chapter, 4);
        }
        assert_eq!(lookup("i10").unwrap().code, "I10");
        assert_eq!(lookup("s72001a").unwrap().code, "S72.001A");
        assert_eq!(lookup("QA0.8").unwrap().chapter, 17);
    }

    #[test]
    fn lookup_answers_none_for_what_cannot_be_recorded() {
        for typed in ["", "  ", "E11", "E11.99", "Z99.999", "asthma", "E08-E13", "4", "É11.9"] {
            assert!(lookup(typed).is_none(), "{typed:?}");
        }
    }

    #[test]
    fn a_code_like_query_matches_codes_by_prefix_with_or_without_the_dot() {
        let with_dot = codes("J45.9", 100);
        assert_eq!(with_dot, codes("j459", 100));
        assert!(with_dot.len() > 3 && with_dot.iter().all(|c| c.starts_with("J45.9")), "{with_dot:?}");
        assert!(codes("e11", 1000).iter().all(|c| c.starts_with("E11.")));
        assert_eq!(codes("QA0.8", 10), ["QA0.8"]);
        assert_eq!(codes("E11.9", 10), ["E11.9"]);
    }

    #[test]
    fn words_match_descriptions_by_prefix_ignoring_case_and_accents() {
        let diabetes = search("diab type 2", 1000);
        assert!(diabetes.iter().any(|c| c.code == "E11.9"));
        assert!(diabetes.iter().all(|c| {
            let d = fold(&c.description);
            d.contains("diab") && d.contains("type") && d.contains('2')
        }));
        assert!(codes("asthma", 1000).iter().any(|c| c.starts_with("J45.")));
        // "Sézary disease", "Gerstmann-Sträussler-Scheinker syndrome"
        assert!(codes("sezary", 10).contains(&"C84.10"));
        assert_eq!(codes("SÉZARY", 10), codes("sezary", 10));
        assert!(codes("strauss scheink", 10).contains(&"A81.82"));
        assert!(codes("Alzheimers disease", 10).iter().any(|c| c.starts_with("G30.")));
        assert!(codes("otitis media zzz", 10).is_empty());
        // Code-like, but no code starts with it: read as words.
        assert!(codes("b12 deficiency", 50).contains(&"D51.9"));
        assert!(codes("b12", 50).contains(&"D51.9"));
    }

    #[test]
    fn an_empty_query_or_limit_finds_nothing() {
        assert!(search("", 10).is_empty());
        assert!(search(" \t ", 10).is_empty());
        assert!(search("e11", 0).is_empty());
        assert!(search("--", 10).is_empty());
    }

    #[test]
    fn the_limit_is_respected() {
        for query in ["e", "e1", "s72", "fracture", "pain", "a"] {
            assert_eq!(search(query, 7).len(), 7, "{query}");
        }
    }

    #[test]
    fn a_code_search_gives_shorter_codes_first_then_codes_in_order() {
        for query in ["e11", "s72", "j4", "O9A"] {
            let all = codes(query, usize::MAX);
            let mut ranked = all.clone();
            ranked.sort_by_key(|c| (c.len(), *c));
            assert_eq!(all, ranked, "{query}");
            assert_eq!(codes(query, 5), all[..5], "{query}");
        }
        assert_eq!(codes("e11", 3), ["E11.8", "E11.9", "E11.A"]);
        assert_eq!(codes("i10", 3), ["I10"]);
    }

    #[test]
    fn a_word_search_gives_the_shorter_descriptions_first_then_shorter_codes_then_codes_in_order() {
        for query in ["diabetes", "fract fem", "a", "asthma"] {
            let all = search(query, usize::MAX);
            let key = |c: &&Icd10Code| (specificity(&c.description), c.code.len(), c.code.clone());
            assert!(all.is_sorted_by_key(key), "{query}");
            assert_eq!(codes(query, 5), all[..5].iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), "{query}");
        }
        let asthma = codes("asthma", 5);
        assert!(asthma.iter().all(|c| c.starts_with("J45.") || c.starts_with("J82.")), "{asthma:?}");
        assert_eq!(codes("hypertension", 1), ["I10"]);
    }

    #[test]
    fn chapters_are_the_22_of_icd10cm_and_each_code_has_one() {
        let all = chapters();
        assert_eq!(all.len(), 22);
        assert!(all.iter().enumerate().all(|(i, c)| c.number as usize == i + 1));
        assert_eq!(all[3].range, "E00-E89");
        assert_eq!(all[3].title, "Endocrine, nutritional and metabolic diseases");
        assert_eq!(chapter_of("e11.9").unwrap().number, 4);
        assert_eq!(chapter_of("J45.909").unwrap().range, "J00-J99");
        assert_eq!(chapter_of("U07.1").unwrap().number, 22);
        assert!(chapter_of("E11").is_none());
        // Every code's chapter exists and its range covers the code's category.
        for code in &index().codes {
            let chapter = chapter_of(&code.code).unwrap();
            let (first, last) = chapter.range.split_once('-').unwrap();
            assert!((first..=last).contains(&&code.code[..3]), "{} in {}", code.code, chapter.range);
        }
    }
}
