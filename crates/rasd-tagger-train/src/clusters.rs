//! Word clusters from unlabelled text: each frequent word's dense vector ([`crate::embeddings`]:
//! the SVD of its PPMI row against the words at −2, −1, +1, +2) is grouped by spherical k-means
//! in two ways:
//!
//! * nested clusters at three granularities (the coarser levels cluster the centroids of the
//!   finer one, so the levels nest like the prefixes of Brown clusters), which the features
//!   conjoin with neighbouring words;
//! * independent clusterings at other granularities (Guo et al. 2014: several k-means
//!   clusterings of the vectors make better features for a linear model than the real-valued
//!   dimensions), read for the word and its neighbours at ±1.

use rasd_tagger::{Rng, EMBEDDING_CLUSTERINGS};
use rustc_hash::FxHashMap;

use crate::news::Corpus;

/// How the clusters are built.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Words that get a cluster: the most frequent ones.
    pub words: usize,
    /// Context words: the most frequent ones, at each position.
    pub contexts: usize,
    pub dimensions: usize,
    pub fine: usize,
    pub middle: usize,
    pub coarse: usize,
    pub iterations: usize,
    pub seed: u64,
    /// The granularities of the independent clusterings (0: none).
    pub embedding: Vec<usize>,
}

/// The clusters: for each clustered word (by id), its fine cluster; for each fine cluster, its
/// middle and coarse clusters.
pub struct Clusters {
    pub of_word: FxHashMap<u32, u16>,
    /// For each clustered word, `1 +` its cluster in each independent clustering (0: none).
    pub embedding: FxHashMap<u32, [u16; EMBEDDING_CLUSTERINGS]>,

    pub coarser: Vec<(u16, u16)>,
}

fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Each point's nearest centroid (largest dot product), in two threads (each point's answer
/// depends on nothing else, so the result is the same in any order).
fn assign(points: &[f32], centroids: &[f32], dim: usize, assignment: &mut [u16]) {
    let half = assignment.len().div_ceil(2);
    std::thread::scope(|scope| {
        for (part, slots) in assignment.chunks_mut(half.max(1)).enumerate() {
            let first = part * half;
            scope.spawn(move || {
                for (i, slot) in slots.iter_mut().enumerate() {
                    let p = &points[(first + i) * dim..][..dim];
                    let mut best = (f32::MIN, 0usize);
                    for (c, centroid) in centroids.chunks_exact(dim).enumerate() {
                        let dot: f32 = p.iter().zip(centroid).map(|(a, b)| a * b).sum();
                        if dot > best.0 {
                            best = (dot, c);
                        }
                    }
                    *slot = best.1 as u16;
                }
            });
        }
    });
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
        assign(points, &centroids, dim, &mut assignment);
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
    let started = std::time::Instant::now();
    let points = crate::embeddings::build(
        corpus,
        &order,
        &crate::embeddings::Settings {
            words: settings.words,
            contexts: settings.contexts,
            dimensions: settings.dimensions,
            power: 2,
            seed: settings.seed,
        },
    );
    let dim = settings.dimensions;
    let n = points.len() / dim;
    eprintln!(
        "word vectors: {n} words, {dim} dimensions ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
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
    let mut embedding: FxHashMap<u32, [u16; EMBEDDING_CLUSTERINGS]> = order[..n]
        .iter()
        .map(|id| (*id, [0; EMBEDDING_CLUSTERINGS]))
        .collect();
    for (e, &k) in settings
        .embedding
        .iter()
        .enumerate()
        .take(EMBEDDING_CLUSTERINGS)
    {
        if k == 0 {
            continue;
        }
        let mut rng = Rng::new(settings.seed + 1 + e as u64);
        let assignment = kmeans(&points, &weights, dim, k, settings.iterations, &mut rng);
        for (id, c) in order[..n].iter().zip(assignment) {
            if let Some(slot) = embedding.get_mut(id) {
                slot[e] = c + 1;
            }
        }
    }
    Clusters {
        of_word,
        coarser,
        embedding,
    }
}
