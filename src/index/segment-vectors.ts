/**
 * A segment's vectors and int8 codes, read when first used rather than when the segment is read:
 * a table's assembly reads vectors straight into the scanner's memory, the int8 scan copies codes
 * into its own a segment at a time, and each then points the segment at its copy, so that a
 * million rows' vectors (400 MB) and codes (100 MB) are never in memory twice.
 */
import { readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { strideOf, type QuantizedRows } from '../embedding/quantize.js';
import { isLoaded, withLazy } from './lazy.js';
import type { Segment } from './types.js';

/**
 * A segment's vectors, read when first used: assembling a table reads them straight into the
 * scanner's memory (`copyVectorsInto`) and assigns the segment a view of it; a merge reads them
 * with the getter.
 */
export function withVectorsOnDemand<T extends object>(object: T, file: string, length: number): T & { vectors: Float32Array } {
  return withLazy(object, 'vectors', () => readVectors(file, length));
}

function readVectors(file: string, length: number): Float32Array {
  const bytes = readFileSync(file);
  const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (vectors.length !== length) throw new Error(`${file} has ${vectors.length} numbers, not ${length}`);
  return vectors;
}

/** Copies all of a segment's vectors into `target` (a table's region): from memory, or else straight from `vectors.f32`. */
export async function copyVectorsInto(segment: Segment, target: Float32Array): Promise<void> {
  if (isLoaded(segment, 'vectors')) {
    target.set(segment.vectors.subarray(0, target.length));
    return;
  }
  const file = await open(path.join(segment.dir, 'vectors.f32'), 'r');
  try {
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    for (let at = 0; at < bytes.byteLength; ) {
      const { bytesRead } = await file.read(bytes, at, bytes.byteLength - at, at);
      if (bytesRead === 0) throw new Error(`${segment.dir}/vectors.f32 ends early`);
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/**
 * The stored int8 codes, when present and of the right size (the scan computes them otherwise).
 * They are read when first used: the scan copies them into its own memory a segment at a time,
 * and points the segment at that copy, so that they are never all in memory twice.
 */
export async function readQuantized(dir: string, rows: number, dimensions: number): Promise<QuantizedRows | undefined> {
  try {
    const codesFile = path.join(dir, 'vectors.i8');
    const scalesFile = path.join(dir, 'scales.f32');
    if ((await stat(codesFile)).size !== rows * strideOf(dimensions) || (await stat(scalesFile)).size !== rows * 4) return undefined;
    const codes = withLazy({}, 'codes', () => {
      const bytes = readFileSync(codesFile);
      return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
    return withLazy(codes, 'scales', () => {
      const bytes = readFileSync(scalesFile);
      return new Float32Array(bytes.buffer, bytes.byteOffset, rows);
    });
  } catch {
    return undefined;
  }
}
