//! Dense word vectors from unlabelled text: the truncated SVD of the positive pointwise mutual
//! information (PPMI) matrix of the frequent words against the words seen at −2, −1, +1 and +2
//! (Levy, Goldberg and Dagan 2015: context distribution smoothing 0.75, eigenvalue weight 0.5).
//!
//! The SVD is randomized (Halko, Martinsson and Tropp 2011): the sparse matrix times a seeded
//! random block, a few power iterations with re-orthonormalization, then the exact SVD of the
//! small projected matrix. Every loop runs in a fixed order, so a seed gives the same vectors.

use rasd_tagger::Rng;
use rustc_hash::FxHashMap;

use crate::news::Corpus;

/// How the vectors are built.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Words that get a vector: the most frequent ones.
    pub words: usize,
    /// Context words, at each of the four positions: the most frequent ones.
    pub contexts: usize,
    pub dimensions: usize,
    /// Power iterations of the randomized SVD.
    pub power: usize,
    pub seed: u64,
}

/// Context positions read around a word.
const POSITIONS: [isize; 4] = [-2, -1, 1, 2];

/// The PPMI matrix in compressed rows.
struct Sparse {
    rows: usize,
    columns: usize,
    starts: Vec<usize>,
    columns_of: Vec<u32>,
    values: Vec<f32>,
}

impl Sparse {
    /// `self × dense` (`dense`: columns × `l`, row-major).
    fn times(&self, dense: &[f64], l: usize) -> Vec<f64> {
        let mut out = vec![0f64; self.rows * l];
        for (r, o) in out.chunks_exact_mut(l).enumerate() {
            for k in self.starts[r]..self.starts[r + 1] {
                let v = f64::from(self.values[k]);
                let d = &dense[self.columns_of[k] as usize * l..][..l];
                for (x, y) in o.iter_mut().zip(d) {
                    *x += v * y;
                }
            }
        }
        out
    }

    /// `selfᵀ × dense` (`dense`: rows × `l`, row-major).
    fn transposed_times(&self, dense: &[f64], l: usize) -> Vec<f64> {
        let mut out = vec![0f64; self.columns * l];
        for r in 0..self.rows {
            let d = &dense[r * l..][..l];
            for k in self.starts[r]..self.starts[r + 1] {
                let v = f64::from(self.values[k]);
                let o = &mut out[self.columns_of[k] as usize * l..][..l];
                for (x, y) in o.iter_mut().zip(d) {
                    *x += v * y;
                }
            }
        }
        out
    }
}

fn ppmi(corpus: &Corpus, order: &[u32], s: &Settings) -> Sparse {
    let n = s.words.min(order.len());
    let c = s.contexts.min(order.len());
    let mut row_of: FxHashMap<u32, u32> = FxHashMap::default();
    for (row, id) in order[..n].iter().enumerate() {
        row_of.insert(*id, row as u32);
    }
    let mut context_of: FxHashMap<u32, u32> = FxHashMap::default();
    for (k, id) in order[..c].iter().enumerate() {
        context_of.insert(*id, k as u32);
    }
    // Every (row, column) pair seen, sorted and counted: one allocation, no map per row.
    let mut pairs: Vec<u64> = Vec::new();
    for article in &corpus.articles {
        for (i, id) in article.iter().enumerate() {
            let Some(&row) = row_of.get(id) else { continue };
            for (p, delta) in POSITIONS.iter().enumerate() {
                let j = i as isize + delta;
                if j < 0 {
                    continue;
                }
                let Some(&k) = article.get(j as usize).and_then(|w| context_of.get(w)) else {
                    continue;
                };
                pairs.push((u64::from(row) << 32) | ((p * c) as u64 + u64::from(k)));
            }
        }
    }
    pairs.sort_unstable();
    let columns = POSITIONS.len() * c;
    let mut column_totals = vec![0f64; columns];
    let mut row_totals = vec![0f64; n];
    let mut cells: Vec<(u32, u32, u32)> = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j] == pairs[i] {
            j += 1;
        }
        let (row, column) = ((pairs[i] >> 32) as u32, pairs[i] as u32);
        let count = (j - i) as u32;
        cells.push((row, column, count));
        row_totals[row as usize] += f64::from(count);
        column_totals[column as usize] += f64::from(count);
        i = j;
    }
    drop(pairs);
    let smoothed: Vec<f64> = column_totals.iter().map(|t| t.powf(0.75)).collect();
    let smoothed_total: f64 = smoothed.iter().sum();
    let mut m = Sparse {
        rows: n,
        columns,
        starts: vec![0; n + 1],
        columns_of: Vec::new(),
        values: Vec::new(),
    };
    for (row, column, count) in cells {
        let p_wc = f64::from(count) / row_totals[row as usize];
        let p_c = smoothed[column as usize] / smoothed_total;
        let pmi = (p_wc / p_c).ln();
        if pmi > 0.0 {
            m.columns_of.push(column);
            m.values.push(pmi as f32);
            m.starts[row as usize + 1] += 1;
        }
    }
    for r in 0..n {
        m.starts[r + 1] += m.starts[r];
    }
    m
}

/// Orthonormalizes the columns of `y` (rows × `l`, row-major) in place: Cholesky QR, twice.
fn orthonormalize(y: &mut [f64], l: usize) {
    for _ in 0..2 {
        let mut gram = vec![0f64; l * l];
        for row in y.chunks_exact(l) {
            for a in 0..l {
                let ra = row[a];
                if ra == 0.0 {
                    continue;
                }
                for b in a..l {
                    gram[a * l + b] += ra * row[b];
                }
            }
        }
        let trace: f64 = (0..l).map(|a| gram[a * l + a]).sum();
        // Cholesky G = R̃ᵀR̃ of the upper triangle (a tiny ridge keeps it defined).
        let mut r = vec![0f64; l * l];
        for a in 0..l {
            for b in a..l {
                let mut s = gram[a * l + b];
                for k in 0..a {
                    s -= r[k * l + a] * r[k * l + b];
                }
                if a == b {
                    r[a * l + a] = s.max(1e-12 * trace + 1e-300).sqrt();
                } else {
                    r[a * l + b] = s / r[a * l + a];
                }
            }
        }
        // Y ← Y R̃⁻¹, row by row (forward substitution).
        for row in y.chunks_exact_mut(l) {
            for b in 0..l {
                let mut s = row[b];
                for k in 0..b {
                    s -= row[k] * r[k * l + b];
                }
                row[b] = s / r[b * l + b];
            }
        }
    }
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a symmetric
/// matrix, by cyclic Jacobi rotations; eigenvalues in decreasing order.
fn symmetric_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _ in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |j| *j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let scale: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum();
        if off <= 1e-22 * scale.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|x, y| a[y * n + y].total_cmp(&a[x * n + x]));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vectors = vec![0f64; n * n];
    for (to, &from) in order.iter().enumerate() {
        for k in 0..n {
            vectors[k * n + to] = v[k * n + from];
        }
    }
    (values, vectors)
}

/// The unit vectors (`dimensions` each, row-major) of the `settings.words` most frequent words
/// of `order`; a word with no context left is the zero vector.
pub fn build(corpus: &Corpus, order: &[u32], s: &Settings) -> Vec<f32> {
    let a = ppmi(corpus, order, s);
    let k = s.dimensions;
    let l = k + 16;
    let mut rng = Rng::new(s.seed ^ 0x05ee_d5bd);
    let omega: Vec<f64> = (0..a.columns * l)
        .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5)
        .collect();
    let mut q = a.times(&omega, l);
    orthonormalize(&mut q, l);
    for _ in 0..s.power {
        let mut z = a.transposed_times(&q, l);
        orthonormalize(&mut z, l);
        q = a.times(&z, l);
        orthonormalize(&mut q, l);
    }
    // B = QᵀA; the eigenvectors of BBᵀ turn Q into the left singular vectors.
    let bt = a.transposed_times(&q, l);
    let mut bbt = vec![0f64; l * l];
    for row in bt.chunks_exact(l) {
        for x in 0..l {
            for y in x..l {
                bbt[x * l + y] += row[x] * row[y];
            }
        }
    }
    for x in 0..l {
        for y in 0..x {
            bbt[x * l + y] = bbt[y * l + x];
        }
    }
    let (values, vectors) = symmetric_eigen(bbt, l);
    // Singular value σ = √λ, weighted σ^0.5 = λ^0.25.
    let weights: Vec<f64> = values[..k].iter().map(|v| v.max(0.0).powf(0.25)).collect();
    let mut out = vec![0f32; a.rows * k];
    for (r, o) in out.chunks_exact_mut(k).enumerate() {
        let qr = &q[r * l..][..l];
        let mut norm = 0f64;
        let mut row = vec![0f64; k];
        for (j, x) in row.iter_mut().enumerate() {
            let u: f64 = (0..l).map(|m| qr[m] * vectors[m * l + j]).sum();
            *x = u * weights[j];
            norm += *x * *x;
        }
        if norm > 0.0 {
            let norm = norm.sqrt();
            for (x, y) in o.iter_mut().zip(&row) {
                *x = (y / norm) as f32;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_finds_the_eigenvalues_of_a_small_matrix() {
        let (values, vectors) = symmetric_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        assert!((values[0] - 3.0).abs() < 1e-9 && (values[1] - 1.0).abs() < 1e-9);
        let v = [vectors[0], vectors[2]];
        assert!((v[0].abs() - v[1].abs()).abs() < 1e-9);
    }

    #[test]
    fn orthonormalized_columns_are_orthonormal() {
        let mut rng = Rng::new(3);
        let l = 4;
        let mut y: Vec<f64> = (0..50 * l)
            .map(|_| (rng.next_u64() % 1000) as f64)
            .collect();
        orthonormalize(&mut y, l);
        for a in 0..l {
            for b in 0..l {
                let dot: f64 = y.chunks_exact(l).map(|r| r[a] * r[b]).sum();
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-9, "{a} {b} {dot}");
            }
        }
    }
}
