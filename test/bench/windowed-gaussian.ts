/**
 * NAB's windowedGaussian baseline detector (nab/detectors/gaussian/windowedGaussian_detector.py with
 * nupic's table-based normalProbability), rebuilt only to check our scorer against the per-file scores
 * NAB publishes for it. The published results files were produced with a window of 6400 rows; the
 * window in NAB's current source (1000) does not reproduce them.
 */

/** nupic anomaly_likelihood.py's Q table: Q[i] = P(Z > i / 10). */
const Q = [
  0.5, 0.460172163, 0.420740291, 0.382088578, 0.344578258, 0.308537539, 0.274253118, 0.241963652, 0.211855399, 0.184060125, 0.158655254,
  0.135666061, 0.11506967, 0.096800485, 0.080756659, 0.066807201, 0.054799292, 0.044565463, 0.035930319, 0.02871656, 0.022750132,
  0.017864421, 0.013903448, 0.01072411, 0.008197536, 0.006209665, 0.004661188, 0.003466974, 0.00255513, 0.001865813, 0.001349898,
  0.000967603, 0.000687138, 0.000483424, 0.000336929, 0.000232629, 0.000159109, 0.0001078, 0.000072348, 0.000048096, 0.000031671,
  0.000021771135897, 0.000014034063752, 0.000008961673661, 0.000005668743475, 0.000003551942468, 0.000002204533058, 0.000001355281953,
  0.000000825270644, 0.000000497747091, 0.000000297343903, 0.000000175930101, 0.000000103096834, 0.000000059836778, 0.00000003439559,
  0.000000019581382, 0.000000011040394, 0.000000006164833, 0.000000003409172, 0.000000001867079, 0.000000001012647, 0.000000000543915,
  0.00000000028932, 0.000000000152404, 0.000000000079502, 0.00000000004107, 0.00000000002101, 0.000000000010644, 0.00000000000534,
  0.000000000002653, 0.000000000001305,
];

/** Python 2's round(): halves away from zero. */
function roundHalfAway(value: number): number {
  return value >= 0 ? Math.floor(value + 0.5) : -Math.floor(-value + 0.5);
}

/** The published detector's score: 1 - Q(z) above the mean (1 beyond 7 σ), Q(z) below it. */
function normalProbability(value: number, mean: number, stdev: number): number {
  if (value < mean) return 1 - normalProbability(2 * mean - value, mean, stdev);
  const index = roundHalfAway((10 * (value - mean)) / stdev);
  return index > 70 ? 1 : 1 - (Q[index] as number);
}

export function windowedGaussianScores(values: readonly number[], windowSize = 6400): number[] {
  const scores: number[] = [];
  const ring = new Float64Array(windowSize);
  let count = 0;
  let mean = 0;
  let stdev = 1;
  values.forEach((value, row) => {
    scores.push(count > 0 ? normalProbability(value, mean, stdev) : 0);
    ring[row % windowSize] = value;
    count = Math.min(count + 1, windowSize);
    // Two passes over the window, as numpy's mean and std compute them.
    let sum = 0;
    for (let i = 0; i < count; i++) sum += ring[i] as number;
    mean = sum / count;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += ((ring[i] as number) - mean) ** 2;
    stdev = squares === 0 ? 0.000001 : Math.sqrt(squares / count);
  });
  return scores;
}
