/**
 * The merge pass of a merging t-digest: two sorted runs of weighted points go
 * in, one sorted run of centroids comes out, each centroid as large as the
 * scale function allows at its position.
 */
import { qLimit, type Scale } from './scale.ts';

/**
 * Merges the sorted runs `a` (centroids) and `b` (buffered values; `bW` null
 * means every weight is 1) into `outM`/`outW` and returns the centroid count.
 * `total` must be the sum of all weights of both runs. The output must not
 * alias the inputs, and needs room for `aN + bN` entries in the worst case.
 *
 * @example
 * const n = mergeRuns(means, weights, 3, buf, null, 100, 103, scale, outM, outW);
 */
export function mergeRuns(
  aM: Float64Array,
  aW: Float64Array,
  aN: number,
  bM: Float64Array,
  bW: Float64Array | null,
  bN: number,
  total: number,
  scale: Scale,
  outM: Float64Array,
  outW: Float64Array,
): number {
  let i = 0;
  let j = 0;
  let o = 0;
  let curW = 0;
  let curSum = 0;
  let curFirst = 0;
  let curLast = 0;
  let wSoFar = 0;
  // A limit of 0 makes the first point a centroid of its own: the scale
  // function allows no weight at q = 0, which keeps the extremes sharp.
  let limit = 0;
  while (i < aN || j < bN) {
    let x: number;
    let w: number;
    if (j >= bN || (i < aN && aM[i]! <= bM[j]!)) {
      x = aM[i]!;
      w = aW[i]!;
      i++;
    } else {
      x = bM[j]!;
      w = bW === null ? 1 : bW[j]!;
      j++;
    }
    if (wSoFar + curW + w <= limit) {
      curW += w;
      curSum += x * w;
      curLast = x;
      continue;
    }
    if (curW > 0) {
      outM[o] = centroidMean(curSum, curW, curFirst, curLast);
      outW[o] = curW;
      o++;
      wSoFar += curW;
      limit = total * qLimit(scale, wSoFar / total);
    }
    curW = w;
    curSum = x * w;
    curFirst = x;
    curLast = x;
  }
  if (curW > 0) {
    outM[o] = centroidMean(curSum, curW, curFirst, curLast);
    outW[o] = curW;
    o++;
  }
  return o;
}

/**
 * sum / weight can differ from the inputs by an ulp; keeping a centroid made
 * of one repeated value exactly equal to it matters for tied data (INP is
 * rounded to 8 ms), and clamping keeps the output sorted.
 */
function centroidMean(sum: number, weight: number, first: number, last: number): number {
  if (first === last) return first;
  const m = sum / weight;
  return m < first ? first : m > last ? last : m;
}
