/**
 * On-disk model format. A model directory holds:
 *   manifest.json          — what was trained (text columns, label columns, classes, settings), versioned
 *   features.json.gz       — the kept hash buckets and their idf
 *   label-<n>.json.gz      — one linear model per label column
 * Numeric arrays are base64 of little-endian typed arrays: exact, compact, and fast to load.
 * Every file is validated with zod; an unknown version is refused rather than misread.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';
import { TfidfVocabulary, type FeatureConfig } from './features.js';
import type { LinearModel } from './linear.js';

export const MODEL_FORMAT_VERSION = 1;

const featureConfigSchema = z.object({
  hashBits: z.number().int().min(8).max(24),
  charMin: z.number().int().min(1).max(8),
  charMax: z.number().int().min(1).max(8),
  wordBigrams: z.boolean(),
});

const labelInfoSchema = z.object({
  column: z.string().min(1),
  classes: z.array(z.string()).min(1),
  /** Training examples per class, so callers can see how much a label was backed by. */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  file: z.string().regex(/^label-\d+\.json\.gz$/),
});

export const manifestSchema = z.object({
  format: z.literal('frontline-triage-model'),
  version: z.literal(MODEL_FORMAT_VERSION),
  createdAt: z.string(),
  algorithm: z.enum(['softmax', 'cnb']),
  textColumns: z.array(z.string()).min(1),
  featureConfig: featureConfigSchema,
  trainingRows: z.number().int().nonnegative(),
  labels: z.array(labelInfoSchema).min(1),
});

const featuresFileSchema = z.object({
  version: z.literal(MODEL_FORMAT_VERSION),
  buckets: z.string(),
  idf: z.string(),
});

const labelFileSchema = z.object({
  version: z.literal(MODEL_FORMAT_VERSION),
  column: z.string(),
  classes: z.array(z.string()).min(1),
  featureCount: z.number().int().nonnegative(),
  weights: z.string(),
  bias: z.array(z.number()),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type LabelInfo = z.infer<typeof labelInfoSchema>;

export interface StoredModel {
  manifest: Manifest;
  vocabulary: TfidfVocabulary;
  models: Map<string, LinearModel>;
}

const MANIFEST = 'manifest.json';
const FEATURES = 'features.json.gz';

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new FrontlineError('INTERNAL', 'triage models are stored little-endian; big-endian hosts are unsupported');
}

const toBase64 = (array: Int32Array | Float32Array): string =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');

function fromBase64<T extends Int32Array | Float32Array>(text: string, make: (b: ArrayBuffer) => T): T {
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh, aligned buffer: Buffer pools may start at an offset not divisible by 4.
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy);
}

function writeGzipJson(file: string, value: unknown): void {
  writeFileSync(file, gzipSync(JSON.stringify(value), { level: 6 }));
}

function readJson<T>(file: string, schema: z.ZodType<T>, gzipped: boolean): T {
  let parsed: unknown;
  try {
    const raw = readFileSync(file);
    parsed = JSON.parse((gzipped ? gunzipSync(raw) : raw).toString('utf8'));
  } catch (err) {
    throw new FrontlineError('BAD_REQUEST', `cannot read triage model file ${file}: ${(err as Error).message}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new FrontlineError('BAD_REQUEST', `invalid triage model file ${file}: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

export function saveModel(dir: string, model: StoredModel): void {
  assertLittleEndian();
  mkdirSync(dir, { recursive: true });
  writeGzipJson(path.join(dir, FEATURES), {
    version: MODEL_FORMAT_VERSION,
    buckets: toBase64(model.vocabulary.buckets),
    idf: toBase64(model.vocabulary.idf),
  });
  for (const info of model.manifest.labels) {
    const linear = model.models.get(info.column);
    if (!linear) throw new FrontlineError('INTERNAL', `no trained model for label ${info.column}`);
    writeGzipJson(path.join(dir, info.file), {
      version: MODEL_FORMAT_VERSION,
      column: info.column,
      classes: linear.classes,
      featureCount: linear.featureCount,
      weights: toBase64(linear.weights),
      bias: Array.from(linear.bias),
    });
  }
  // The manifest goes last: a directory with a manifest is a complete model.
  writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifestSchema.parse(model.manifest), null, 2)}\n`);
}

export function loadModel(dir: string): StoredModel {
  assertLittleEndian();
  const manifest = readJson(path.join(dir, MANIFEST), manifestSchema, false);
  const features = readJson(path.join(dir, FEATURES), featuresFileSchema, true);
  const buckets = fromBase64(features.buckets, (b) => new Int32Array(b));
  const idf = fromBase64(features.idf, (b) => new Float32Array(b));
  if (buckets.length !== idf.length) throw new FrontlineError('BAD_REQUEST', `${dir}: features file is inconsistent`);
  const vocabulary = new TfidfVocabulary(manifest.featureConfig as FeatureConfig, buckets, idf);
  const models = new Map<string, LinearModel>();
  for (const info of manifest.labels) {
    const file = readJson(path.join(dir, info.file), labelFileSchema, true);
    const weights = fromBase64(file.weights, (b) => new Float32Array(b));
    const k = file.classes.length;
    if (file.featureCount !== vocabulary.size || weights.length !== k * file.featureCount || file.bias.length !== k) {
      throw new FrontlineError('BAD_REQUEST', `${dir}/${info.file}: weights do not match the feature set`);
    }
    models.set(info.column, { classes: file.classes, featureCount: file.featureCount, weights, bias: Float32Array.from(file.bias) });
  }
  return { manifest, vocabulary, models };
}
