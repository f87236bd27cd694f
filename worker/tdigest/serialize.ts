/**
 * Binary format of a compressed t-digest, version 1. Integers are LEB128
 * varints, doubles little-endian:
 *
 *   u8      version (1)
 *   u8      flags: bits 0-4 mantissa bits kept per mean (31: float64 means,
 *           used when they fit, i.e. for small digests),
 *           bit 5 set when weights are float64 instead of varints
 *   varint  compression
 *   varint  grid + 1 (common integer step of the values; 0 none, -1 empty)
 *   weight  exact weight of zeros
 *   varint  number of centroids n
 *   f64 f64 min and max of the non-zero values (only when n > 0)
 *   n means, ascending: the first key as a varint, then key deltas
 *   n weights
 *
 * The digest rounds its own means exactly like this format does before
 * encoding (see keys.ts), so a decoded digest answers like the encoded one.
 */
import { fromKey, RAW_MEANS, storedKey } from './keys.ts';

/**
 * Version byte written first; decoders reject any other.
 *
 * @example
 * d.toBytes()[0] === FORMAT_VERSION; // true
 */
export const FORMAT_VERSION = 1;
/**
 * Hard cap on the encoded size; the digest compresses harder to meet it.
 *
 * @example
 * d.toBytes().length <= MAX_BYTES; // always
 */
export const MAX_BYTES = 512;
const FLOAT_WEIGHTS = 32;

/**
 * Digest state as the encoder and decoder see it.
 *
 * @example
 * const s: DigestState = decodeState(bytes);
 */
export interface DigestState {
  compression: number;
  zeros: number;
  grid: number;
  n: number;
  lo: number;
  hi: number;
  means: Float64Array<ArrayBuffer>;
  weights: Float64Array<ArrayBuffer>;
}

function allIntegers(s: DigestState): boolean {
  if (!Number.isSafeInteger(s.zeros)) return false;
  for (let i = 0; i < s.n; i++) if (!Number.isSafeInteger(s.weights[i]!)) return false;
  return true;
}

// Encoder output: one growable buffer reused by every encode, copied out at
// the end, so encoding allocates a single right-sized array.
let out = new Uint8Array(1024);
let outView = new DataView(out.buffer);
let at = 0;

function room(k: number): void {
  if (at + k <= out.length) return;
  const next = new Uint8Array(Math.max(out.length * 2, at + k));
  next.set(out);
  out = next;
  outView = new DataView(next.buffer);
}

function writeVarint(v: number): void {
  room(8);
  // Division rather than shifts: weights may exceed 2^32.
  while (v >= 128) {
    out[at++] = (v % 128) + 128;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
}

function writeF64(v: number): void {
  room(8);
  outView.setFloat64(at, v, true);
  at += 8;
}

/**
 * Encodes a state keeping `bits` mantissa bits per mean (RAW_MEANS: all of
 * float64). The means must already be rounded that way (`quantizeMean`),
 * or the decoded digest would answer differently.
 *
 * @example
 * const bytes = encodeState(state, RAW_MEANS); // Uint8Array
 */
export function encodeState(s: DigestState, bits: number): Uint8Array {
  at = 0;
  const intWeights = allIntegers(s);
  room(2);
  out[at++] = FORMAT_VERSION;
  out[at++] = bits | (intWeights ? 0 : FLOAT_WEIGHTS);
  writeVarint(s.compression);
  writeVarint(s.grid + 1);
  if (intWeights) writeVarint(s.zeros);
  else writeF64(s.zeros);
  writeVarint(s.n);
  if (s.n > 0) {
    writeF64(s.lo);
    writeF64(s.hi);
    if (bits === RAW_MEANS) {
      for (let i = 0; i < s.n; i++) writeF64(s.means[i]!);
    } else {
      // Rounding, not truncation: a mean clamped to min or max (off the
      // grid) must come back as the grid point that the clamp undoes.
      let prev = 0;
      for (let i = 0; i < s.n; i++) {
        const key = storedKey(s.means[i]!, bits);
        writeVarint(key - prev);
        prev = key;
      }
    }
    for (let i = 0; i < s.n; i++) {
      if (intWeights) writeVarint(s.weights[i]!);
      else writeF64(s.weights[i]!);
    }
  }
  return out.slice(0, at);
}

// Decoder cursor as module state rather than a reader object: no allocation
// and no property loads in the loops (100 digests load in ~0.3 ms).
let src: Uint8Array = new Uint8Array(0);
let pos = 0;

function truncated(): never {
  throw new RangeError('t-digest: truncated input');
}

function readVarint(): number {
  let v = 0;
  for (let scale = 1; scale < 2 ** 56; scale *= 128) {
    const b = pos < src.length ? src[pos++]! : truncated();
    v += (b & 127) * scale;
    if (b < 128) return v;
  }
  throw new RangeError('t-digest: varint too long');
}

function readF64(view: DataView): number {
  if (pos + 8 > src.length) truncated();
  const v = view.getFloat64(pos, true);
  pos += 8;
  return v;
}

/** Varints of the centroid arrays, read inline: this is the load hot path. */
function readVarints(into: Float64Array, n: number, cumulative: boolean): void {
  const bytes = src;
  let p = pos;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // Past the end, bytes[p] is undefined: that ends a varint, and the
    // overrun is caught after the loop.
    let b = bytes[p++]!;
    let v = b & 127;
    for (let scale = 128; b >= 128 && scale < 2 ** 56; scale *= 128) {
      b = bytes[p++]!;
      v += (b & 127) * scale;
    }
    sum = cumulative ? sum + v : v;
    into[i] = sum;
  }
  pos = p;
  if (pos > bytes.length) truncated();
}

/**
 * Decodes `encodeState` output. Throws RangeError on input it can tell is
 * malformed: unknown version, truncation, trailing bytes, non-finite or
 * unsorted values, non-positive weights.
 *
 * @example
 * const state = decodeState(bytes);
 */
export function decodeState(bytes: Uint8Array): DigestState {
  src = bytes;
  pos = 0;
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 2) truncated();
    const version = bytes[pos++]!;
    if (version !== FORMAT_VERSION) throw new RangeError(`t-digest: unknown format version ${version}`);
    const flags = bytes[pos++]!;
    const bits = flags & 31;
    if ((bits !== RAW_MEANS && bits > 23) || flags > 63) throw new RangeError('t-digest: bad flags');
    const floatWeights = (flags & FLOAT_WEIGHTS) !== 0;
    const compression = readVarint();
    const grid = readVarint() - 1;
    const zeros = floatWeights ? readF64(view) : readVarint();
    const n = readVarint();
    if (n > bytes.length) throw new RangeError('t-digest: bad centroid count');
    const means = slice(n);
    const weights = slice(n);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    if (n > 0) {
      lo = readF64(view);
      hi = readF64(view);
      if (bits === RAW_MEANS) {
        for (let i = 0; i < n; i++) means[i] = readF64(view);
      } else {
        readVarints(means, n, true);
        const unit = 2 ** (23 - bits);
        for (let i = 0; i < n; i++) {
          const q = fromKey(means[i]! * unit);
          means[i] = q < lo ? lo : q > hi ? hi : q;
        }
      }
      if (floatWeights) for (let i = 0; i < n; i++) weights[i] = readF64(view);
      else readVarints(weights, n, false);
    }
    if (pos !== bytes.length) throw new RangeError('t-digest: trailing bytes');
    const state = { compression, zeros, grid, n, lo, hi, means, weights };
    checkState(state);
    return state;
  } finally {
    src = EMPTY;
  }
}

const EMPTY = new Uint8Array(0);

// Decoded arrays are carved out of shared 8 KB slabs: allocating a backing
// store per array cost more than decoding into it (loading 100 digests is
// ~20% faster). A slab lives as long as any digest decoded into it, so a
// long-lived digest may pin up to 8 KB instead of its own ~2 KB.
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(0);
let slabAt = 0;

function slice(n: number): Float64Array<ArrayBuffer> {
  if (slabAt + 8 * n > slab.byteLength) {
    slab = new ArrayBuffer(Math.max(SLAB_BYTES, 8 * n));
    slabAt = 0;
  }
  const view = new Float64Array(slab, slabAt, n);
  slabAt += 8 * n;
  return view;
}

function checkState(s: DigestState): void {
  let ok = s.compression >= 1 && Number.isFinite(s.zeros) && s.zeros >= 0;
  ok &&= s.grid >= -1 && s.grid < 2 ** 31;
  if (s.n > 0) ok &&= Number.isFinite(s.lo) && Number.isFinite(s.hi) && s.lo <= s.hi;
  else ok &&= s.grid === -1;
  for (let i = 0; ok && i < s.n; i++) {
    const w = s.weights[i]!;
    const m = s.means[i]!;
    ok = w > 0 && w < Number.POSITIVE_INFINITY && Number.isFinite(m);
    if (i > 0) ok &&= m >= s.means[i - 1]!;
  }
  if (!ok) throw new RangeError('t-digest: corrupt input');
}
