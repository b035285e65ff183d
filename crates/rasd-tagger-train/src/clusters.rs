//! Word clusters from unlabelled text: each frequent word is described by the words seen just
//! before and just after it (positive pointwise mutual information over the most frequent
//! context words), projected to a short dense vector by a seeded random projection, and the
//! vectors are grouped by spherical k-means at three granularities (the coarser levels cluster
//! the centroids of the finer one, so the levels nest like the prefixes of Brown clusters).

use rasd_tagger::Rng;
use rustc_hash::FxHashMap;

use crate::news::Corpus;

/// How the clusters are built.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Words that get a cluster: the most frequent ones.
    pub words: usize,
    /// Context words: the most frequent ones, on each side.
    pub contexts: usize,
    pub dimensions: usize,
    pub fine: usize,
    pub middle: usize,
    pub coarse: usize,
    pub iterations: usize,
    pub seed: u64,
}

/// The clusters: for each clustered word (by id), its fine cluster; for each fine cluster, its
/// middle and coarse clusters.
pub struct Clusters {
    pub of_word: FxHashMap<u32, u16>,
    pub coarser: Vec<(u16, u16)>,
}

fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Context vectors of the `settings.words` most frequent words.
fn vectors(corpus: &Corpus, order: &[u32], s: &Settings) -> Vec<f32> {
    let n = s.words.min(order.len());
    let mut row_of: FxHashMap<u32, u32> = FxHashMap::default();
    for (row, id) in order[..n].iter().enumerate() {
        row_of.insert(*id, row as u32);
    }
    let mut context_of: FxHashMap<u32, u32> = FxHashMap::default();
    for (c, id) in order[..s.contexts.min(order.len())].iter().enumerate() {
        context_of.insert(*id, c as u32);
    }
    let width = 2 * s.contexts;
    let mut counts: Vec<FxHashMap<u32, u32>> = vec![FxHashMap::default(); n];
    let mut context_totals = vec![0f64; width];
    for article in &corpus.articles {
        for (i, id) in article.iter().enumerate() {
            let Some(&row) = row_of.get(id) else { continue };
            let left = i.checked_sub(1).and_then(|j| context_of.get(&article[j]));
            let right = article.get(i + 1).and_then(|j| context_of.get(j));
            if let Some(&c) = left {
                *counts[row as usize].entry(c).or_default() += 1;
                context_totals[c as usize] += 1.0;
            }
            if let Some(&c) = right {
                let c = c + s.contexts as u32;
                *counts[row as usize].entry(c).or_default() += 1;
                context_totals[c as usize] += 1.0;
            }
        }
    }
    // Context distribution smoothing (Levy, Goldberg and Dagan 2015).
    let smoothed: Vec<f64> = context_totals.iter().map(|c| c.powf(0.75)).collect();
    let smoothed_total: f64 = smoothed.iter().sum();
    let mut rng = Rng::new(s.seed ^ 0x0c0ffee);
    let projection: Vec<f32> = (0..width * s.dimensions)
        .map(|_| if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 })
        .collect();
    let mut out = vec![0f32; n * s.dimensions];
    for (row, cells) in counts.iter().enumerate() {
        let total: f64 = cells.values().map(|v| f64::from(*v)).sum();
        if total == 0.0 {
            continue;
        }
        let v = &mut out[row * s.dimensions..][..s.dimensions];
        let mut cells: Vec<(u32, u32)> = cells.iter().map(|(c, n)| (*c, *n)).collect();
        cells.sort_unstable();
        for (c, count) in cells {
            let p_wc = f64::from(count) / total;
            let p_c = smoothed[c as usize] / smoothed_total;
            let pmi = (p_wc / p_c).ln();
            if pmi <= 0.0 {
                continue;
            }
            let r = &projection[c as usize * s.dimensions..][..s.dimensions];
            for (x, y) in v.iter_mut().zip(r) {
                *x += pmi as f32 * y;
            }
        }
        normalize(v);
    }
    out
}

/// Spherical k-means of `points` (rows of `dim`, weighted), from `k` distinct seeded starts.
fn kmeans(
    points: &[f32],
    weights: &[f32],
    dim: usize,
    k: usize,
    iterations: usize,
    rng: &mut Rng,
) -> Vec<u16> {
    let n = points.len() / dim;
    let k = k.min(n);
    let mut starts: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut starts);
    let mut centroids: Vec<f32> = starts[..k]
        .iter()
        .flat_map(|&i| points[i * dim..][..dim].iter().copied())
        .collect();
    let mut assignment = vec![0u16; n];
    for _ in 0..iterations {
        for (i, slot) in assignment.iter_mut().enumerate() {
            let p = &points[i * dim..][..dim];
            let mut best = (f32::MIN, 0usize);
            for (c, centroid) in centroids.chunks_exact(dim).enumerate() {
                let dot: f32 = p.iter().zip(centroid).map(|(a, b)| a * b).sum();
                if dot > best.0 {
                    best = (dot, c);
                }
            }
            *slot = best.1 as u16;
        }
        let (mut sums, sizes) = weighted_sums(points, weights, dim, &assignment, k);
        for c in 0..k {
            if sizes[c] == 0.0 {
                // An empty cluster restarts at a random point.
                let i = (rng.next_u64() % n as u64) as usize;
                sums[c * dim..][..dim].copy_from_slice(&points[i * dim..][..dim]);
            }
            normalize(&mut sums[c * dim..][..dim]);
        }
        centroids = sums;
    }
    assignment
}

/// The weighted sum of the points of each cluster, and the clusters' total weights.
fn weighted_sums(
    points: &[f32],
    weights: &[f32],
    dim: usize,
    assignment: &[u16],
    k: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut sums = vec![0f32; k * dim];
    let mut sizes = vec![0f32; k];
    for (i, &c) in assignment.iter().enumerate() {
        let c = usize::from(c);
        sizes[c] += weights[i];
        for (s, x) in sums[c * dim..][..dim]
            .iter_mut()
            .zip(&points[i * dim..][..dim])
        {
            *s += weights[i] * x;
        }
    }
    (sums, sizes)
}

fn centroids_of(
    points: &[f32],
    weights: &[f32],
    dim: usize,
    assignment: &[u16],
    k: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (mut sums, sizes) = weighted_sums(points, weights, dim, assignment, k);
    for c in 0..k {
        normalize(&mut sums[c * dim..][..dim]);
    }
    (sums, sizes.into_iter().map(|s| s.max(1.0)).collect())
}

/// Clusters the frequent words of the corpus.
pub fn build(corpus: &Corpus, settings: &Settings) -> Clusters {
    let order = corpus.by_frequency();
    let points = vectors(corpus, &order, settings);
    let dim = settings.dimensions;
    let n = points.len() / dim;
    let weights: Vec<f32> = order[..n]
        .iter()
        .map(|id| (corpus.counts[*id as usize] as f32).ln().max(1.0))
        .collect();
    let mut rng = Rng::new(settings.seed);
    let fine = kmeans(
        &points,
        &weights,
        dim,
        settings.fine,
        settings.iterations,
        &mut rng,
    );
    let k_fine = settings.fine.min(n);
    let (fine_centroids, fine_sizes) = centroids_of(&points, &weights, dim, &fine, k_fine);
    let middle = kmeans(
        &fine_centroids,
        &fine_sizes,
        dim,
        settings.middle,
        settings.iterations,
        &mut rng,
    );
    let k_middle = settings.middle.min(k_fine);
    let (middle_centroids, middle_sizes) =
        centroids_of(&fine_centroids, &fine_sizes, dim, &middle, k_middle);
    let coarse = kmeans(
        &middle_centroids,
        &middle_sizes,
        dim,
        settings.coarse,
        settings.iterations,
        &mut rng,
    );
    let coarser = middle
        .iter()
        .map(|&m| (m, coarse[usize::from(m)]))
        .collect();
    let of_word = order[..n]
        .iter()
        .zip(&fine)
        .map(|(id, c)| (*id, *c))
        .collect();
    Clusters { of_word, coarser }
}
