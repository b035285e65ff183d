//! First-order Viterbi decoding under the BIO constraint, in integer scores.

use crate::labels::{may_follow, LABELS};

/// The score of a forbidden step (an `I-` that continues nothing); far below any real score but
/// safe to add a sentence's worth of times.
pub const FORBIDDEN: i32 = -(1 << 24);

/// Label-to-label scores: `start[l]` for the first label, `pairs[p][l]` for `l` after `p`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transitions {
    pub start: [i32; LABELS],
    pub pairs: [[i32; LABELS]; LABELS],
}

impl Default for Transitions {
    fn default() -> Self {
        Transitions {
            start: [0; LABELS],
            pairs: [[0; LABELS]; LABELS],
        }
    }
}

impl Transitions {
    #[inline(always)]
    fn start(&self, label: usize) -> i32 {
        if may_follow(None, label as u8) {
            self.start[label]
        } else {
            FORBIDDEN
        }
    }

    #[inline(always)]
    fn pair(&self, previous: usize, label: usize) -> i32 {
        if may_follow(Some(previous as u8), label as u8) {
            self.pairs[previous][label]
        } else {
            FORBIDDEN
        }
    }
}

/// Scratch space reused across sentences.
#[derive(Debug, Default)]
pub struct Decoder {
    back: Vec<[u8; LABELS]>,
}

impl Decoder {
    /// The best label sequence for these per-token label scores, written to `out`.
    pub fn viterbi(
        &mut self,
        emissions: &[[i32; LABELS]],
        transitions: &Transitions,
        out: &mut Vec<u8>,
    ) {
        out.clear();
        let n = emissions.len();
        if n == 0 {
            return;
        }
        self.back.clear();
        self.back.resize(n, [0; LABELS]);
        let mut score = [0i32; LABELS];
        for (l, s) in score.iter_mut().enumerate() {
            *s = emissions[0][l].saturating_add(transitions.start(l));
        }
        for t in 1..n {
            let mut next = [0i32; LABELS];
            for (l, slot) in next.iter_mut().enumerate() {
                let mut best = i32::MIN;
                let mut arg = 0u8;
                for (p, s) in score.iter().enumerate() {
                    let v = s.saturating_add(transitions.pair(p, l));
                    if v > best {
                        best = v;
                        arg = p as u8;
                    }
                }
                *slot = best.saturating_add(emissions[t][l]);
                self.back[t][l] = arg;
            }
            score = next;
        }
        let mut last = 0;
        for l in 1..LABELS {
            if score[l] > score[last] {
                last = l;
            }
        }
        out.resize(n, 0);
        out[n - 1] = last as u8;
        for t in (1..n).rev() {
            out[t - 1] = self.back[t][usize::from(out[t])];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{begin, inside, Kind, OUTSIDE};

    #[test]
    fn decoding_respects_bio_and_prefers_the_best_path() {
        let mut emissions = vec![[0i32; LABELS]; 3];
        // Token 1 looks like the inside of a person name, token 0 weakly like its start.
        emissions[0][usize::from(begin(Kind::Pers))] = 1;
        emissions[1][usize::from(inside(Kind::Pers))] = 10;
        emissions[2][usize::from(OUTSIDE)] = 5;
        let mut out = Vec::new();
        Decoder::default().viterbi(&emissions, &Transitions::default(), &mut out);
        assert_eq!(out, vec![begin(Kind::Pers), inside(Kind::Pers), OUTSIDE]);
    }

    #[test]
    fn an_inside_label_never_opens_a_sentence() {
        let mut emissions = vec![[0i32; LABELS]; 1];
        emissions[0][usize::from(inside(Kind::Org))] = 100;
        let mut out = Vec::new();
        Decoder::default().viterbi(&emissions, &Transitions::default(), &mut out);
        assert_ne!(out[0], inside(Kind::Org));
    }
}
