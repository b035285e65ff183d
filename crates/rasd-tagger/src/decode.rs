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
    /// The same scores with the forbidden steps written in, so that decoding needs no test.
    pub fn constrained(&self) -> Transitions {
        let mut out = self.clone();
        for l in 0..LABELS {
            out.start[l] = self.start(l);
            for p in 0..LABELS {
                out.pairs[p][l] = self.pair(p, l);
            }
        }
        out
    }

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

/// Subtracts the best score from every score (scores only matter relative to each other at one
/// position, and this keeps long sentences far from overflow).
#[inline(always)]
fn normalize(scores: &mut [i32; LABELS]) {
    let best = scores.iter().copied().max().unwrap_or(0);
    for s in scores.iter_mut() {
        *s = (*s - best).max(2 * FORBIDDEN);
    }
}

/// Scratch space reused across sentences.
#[derive(Debug, Default)]
pub struct Decoder {
    back: Vec<[u8; LABELS]>,
    forward: Vec<[i32; LABELS]>,
}

impl Decoder {
    // Dynamic programming over positions and labels reads best as indexes.
    #[allow(clippy::needless_range_loop)]
    /// The best label sequence for these per-token label scores, written to `out`. The
    /// transitions must have the BIO constraint written in ([`Transitions::constrained`]).
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
        self.forward.clear();
        let mut score = [0i32; LABELS];
        for (l, s) in score.iter_mut().enumerate() {
            *s = emissions[0][l] + transitions.start[l];
        }
        normalize(&mut score);
        self.forward.push(score);
        for t in 1..n {
            let mut next = [0i32; LABELS];
            for (l, slot) in next.iter_mut().enumerate() {
                let mut best = i32::MIN;
                let mut arg = 0u8;
                for (p, s) in score.iter().enumerate() {
                    let v = s + transitions.pairs[p][l];
                    if v > best {
                        best = v;
                        arg = p as u8;
                    }
                }
                *slot = best + emissions[t][l];
                self.back[t][l] = arg;
            }
            normalize(&mut next);
            score = next;
            self.forward.push(score);
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

impl Decoder {
    #[allow(clippy::needless_range_loop)]
    /// After [`Decoder::viterbi`] on the same input: for each token, how much lower the best
    /// path is when that token's label is forced to another kind (or to `O` from a name, or to a
    /// name from `O`). Max-marginals: the forward scores of the last decoding plus a backward
    /// pass.
    pub fn margins(
        &self,
        emissions: &[[i32; LABELS]],
        transitions: &Transitions,
        labels: &[u8],
        out: &mut Vec<i32>,
    ) {
        out.clear();
        let n = emissions.len();
        if n == 0 || self.forward.len() != n {
            return;
        }
        out.resize(n, 0);
        let mut backward = [0i32; LABELS];
        for t in (0..n).rev() {
            let mut best_same = i32::MIN;
            let mut best_other = i32::MIN;
            let kind = crate::labels::kind_of(labels[t]);
            for l in 0..LABELS {
                let total = self.forward[t][l] + backward[l];
                if crate::labels::kind_of(l as u8) == kind {
                    best_same = best_same.max(total);
                } else {
                    best_other = best_other.max(total);
                }
            }
            out[t] = (best_same - best_other).max(0);
            if t > 0 {
                let mut ahead = [0i32; LABELS];
                for (a, (e, b)) in ahead.iter_mut().zip(emissions[t].iter().zip(&backward)) {
                    *a = e + b;
                }
                let mut previous = [i32::MIN; LABELS];
                for (p, slot) in previous.iter_mut().enumerate() {
                    for (l, a) in ahead.iter().enumerate() {
                        *slot = (*slot).max(transitions.pairs[p][l] + a);
                    }
                }
                normalize(&mut previous);
                backward = previous;
            }
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
        Decoder::default().viterbi(&emissions, &Transitions::default().constrained(), &mut out);
        assert_eq!(out, vec![begin(Kind::Pers), inside(Kind::Pers), OUTSIDE]);
    }

    #[test]
    fn an_inside_label_never_opens_a_sentence() {
        let mut emissions = vec![[0i32; LABELS]; 1];
        emissions[0][usize::from(inside(Kind::Org))] = 100;
        let mut out = Vec::new();
        Decoder::default().viterbi(&emissions, &Transitions::default().constrained(), &mut out);
        assert_ne!(out[0], inside(Kind::Org));
    }
}
