// Paired comparison of two Workers measured round by round (the arms run back to back in each round, so the
// load a round saw is shared): the median of the per-round differences and a distribution-free confidence
// interval for it (the sign test's order statistics), and from it a verdict a single noisy run can support.

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialCdfHalf(k, n) {
  let term = 0.5 ** n // P(X = 0)
  let sum = 0
  for (let i = 0; i <= k; i++) {
    sum += term
    term = (term * (n - i)) / (i + 1)
  }
  return sum
}

/**
 * Median of `differences` and the widest-coverage-at-least-`confidence` interval [d(k), d(n−k+1)] of the sorted
 * differences (k the largest with P(X ≤ k−1) ≤ (1−confidence)/2). With too few rounds for that coverage the
 * interval is the whole range, which decides nothing (verdict "tie").
 */
export function pairedMedian(differences, confidence = 0.95) {
  const d = differences.filter(Number.isFinite).sort((a, b) => a - b)
  const n = d.length
  if (n === 0) return { n, median: NaN, low: NaN, high: NaN, coverage: NaN }
  const mid = n >> 1
  const median = n % 2 ? d[mid] : (d[mid - 1] + d[mid]) / 2
  let k = 0
  while (k + 1 <= mid && binomialCdfHalf(k, n) <= (1 - confidence) / 2) k++
  // k = 0: not even the extreme order statistics reach the coverage.
  if (k === 0) return { n, median, low: -Infinity, high: Infinity, coverage: NaN }
  return { n, median, low: d[k - 1], high: d[n - k], coverage: 1 - 2 * binomialCdfHalf(k - 1, n) }
}

/** "ahead" when the whole interval of (arm − other) is below zero, "behind" when above, else "tie" (within noise). */
export function verdictOf({ low, high }) {
  if (high < 0) return 'ahead'
  if (low > 0) return 'behind'
  return 'tie'
}
