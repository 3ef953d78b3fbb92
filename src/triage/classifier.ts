/**
 * The text classifier learnt from an organisation's own ticket history: one shared TF-IDF featuriser, one
 * linear model per label column (category, group, urgency, …). Training is deterministic for a given input.
 */
import { FrontlineError } from '../errors.js';
import { extractTerms, DEFAULT_FEATURE_CONFIG, TfidfVocabulary, type FeatureConfig, type TermCounts } from './features.js';
import { trainComplementNaiveBayes } from './cnb.js';
import { DEFAULT_TRAIN_OPTIONS, predictProba, type Head, type LinearModel, type TrainOptions } from './linear.js';
import { trainSoftmaxHeads } from './sgd.js';
import { loadModel, MODEL_FORMAT_VERSION, saveModel, type LabelInfo, type Manifest } from './model-store.js';

export type { LabelInfo } from './model-store.js';

export interface ScoredLabel {
  label: string;
  /** Softmax probability; the scores of all classes of one label column sum to 1. */
  score: number;
}

export interface Classifier {
  /** Label columns the model predicts, with their classes and training support. */
  readonly labels: readonly LabelInfo[];
  /** Columns joined to form the text at training time (predict from the same columns). */
  readonly textColumns: readonly string[];
  /** Top `top` (default 3) classes per label column, best first. */
  predict(text: string, top?: number): Record<string, ScoredLabel[]>;
}

export interface TrainingExample {
  text: string;
  /** Label column → value; an empty or missing value leaves the example out of that column's model. */
  labels: Record<string, string | undefined>;
}

/** `done` of `total` within the phase (rows for features, epochs or label columns for training). */
export interface TrainProgress {
  phase: 'features' | 'train';
  /** Label column(s) being trained. */
  label?: string;
  done: number;
  total: number;
}

export interface ClassifierTrainOptions extends Partial<TrainOptions> {
  textColumns?: string[];
  featureConfig?: FeatureConfig;
  /** Buckets seen in fewer documents are dropped; default 2 from 1,000 examples up, else 1. */
  minDf?: number;
  /**
   * Buckets in a larger share of documents are dropped (default 0.5 from 1,000 examples up, else 1): such
   * n-grams ("e ", " th") tell classes apart poorly; dropping them removes ~13 % of the terms per ticket.
   */
  maxDfRatio?: number;
  onProgress?: (progress: TrainProgress) => void;
}

export class LinearTextClassifier implements Classifier {
  constructor(
    readonly manifest: Manifest,
    private readonly vocabulary: TfidfVocabulary,
    private readonly models: Map<string, LinearModel>,
  ) {}

  get labels(): readonly LabelInfo[] {
    return this.manifest.labels;
  }

  get textColumns(): readonly string[] {
    return this.manifest.textColumns;
  }

  predict(text: string, top = 3): Record<string, ScoredLabel[]> {
    return this.predictTerms(extractTerms(text, this.vocabulary.config), top);
  }

  /** Same as predict, from terms already extracted (evaluation extracts once for every label). */
  predictTerms(terms: TermCounts, top = 3): Record<string, ScoredLabel[]> {
    const x = this.vocabulary.vectorize(terms);
    const out: Record<string, ScoredLabel[]> = {};
    for (const info of this.manifest.labels) {
      const model = this.models.get(info.column)!;
      const p = predictProba(model, x);
      out[info.column] = Array.from(p, (score, c) => ({ label: model.classes[c]!, score }))
        // Ties (e.g. an empty text on a balanced set) break by class name so output is stable.
        .sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1))
        .slice(0, Math.max(1, top));
    }
    return out;
  }

  save(dir: string): void {
    saveModel(dir, { manifest: this.manifest, vocabulary: this.vocabulary, models: this.models });
  }

  static load(dir: string): LinearTextClassifier {
    const stored = loadModel(dir);
    return new LinearTextClassifier(stored.manifest, stored.vocabulary, stored.models);
  }
}

export function trainClassifier(
  examples: TrainingExample[],
  labelColumns: string[],
  options: ClassifierTrainOptions = {},
): LinearTextClassifier {
  const featureConfig = options.featureConfig ?? DEFAULT_FEATURE_CONFIG;
  const trainOptions: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...definedOnly(options) };
  const report = options.onProgress ?? (() => {});
  const terms = examples.map((example, i) => {
    if (i % 250 === 0) report({ phase: 'features', done: i, total: examples.length });
    return extractTerms(example.text, featureConfig);
  });
  report({ phase: 'features', done: examples.length, total: examples.length });

  const minDf = options.minDf ?? (examples.length >= 1000 ? 2 : 1);
  const maxDfRatio = options.maxDfRatio ?? (examples.length >= 1000 ? 0.5 : 1);
  const vocabulary = TfidfVocabulary.fit(terms, featureConfig, minDf, maxDfRatio);
  const vectors = terms.map((t) => vocabulary.vectorize(t));

  const labels: LabelInfo[] = [];
  const heads: Head[] = labelColumns.map((column, n) => {
    const counts: Record<string, number> = {};
    for (const e of examples) if (e.labels[column]) counts[e.labels[column]] = (counts[e.labels[column]] ?? 0) + 1;
    const classes = Object.keys(counts).sort();
    if (classes.length === 0) throw new FrontlineError('BAD_REQUEST', `label column "${column}" has no non-empty values`);
    labels.push({ column, classes, counts, file: `label-${n}.json.gz` });
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    return { classes, ys: Int32Array.from(examples, (e) => (e.labels[column] ? classIndex.get(e.labels[column])! : -1)) };
  });
  const trained =
    trainOptions.algorithm === 'cnb'
      ? heads.map((head, h) =>
          trainComplementNaiveBayes(vectors, head, vocabulary.size, {
            ...trainOptions,
            onEpoch: () => report({ phase: 'train', label: labelColumns[h], done: h + 1, total: heads.length }),
          }),
        )
      : trainSoftmaxHeads(vectors, heads, vocabulary.size, {
          ...trainOptions,
          onEpoch: (done, total) => report({ phase: 'train', label: labelColumns.join(', '), done, total }),
        });
  const models = new Map(labelColumns.map((column, h) => [column, trained[h]!]));

  const manifest: Manifest = {
    format: 'frontline-triage-model',
    version: MODEL_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    algorithm: trainOptions.algorithm,
    textColumns: options.textColumns ?? ['text'],
    featureConfig,
    trainingRows: examples.length,
    labels,
  };
  return new LinearTextClassifier(manifest, vocabulary, models);
}

export function loadClassifier(dir: string): LinearTextClassifier {
  return LinearTextClassifier.load(dir);
}

function definedOnly(options: ClassifierTrainOptions): Partial<TrainOptions> {
  const picked: Partial<TrainOptions> = {};
  for (const key of ['algorithm', 'epochs', 'learningRate', 'l2', 'alpha', 'seed'] as const) {
    if (options[key] !== undefined) (picked as Record<string, unknown>)[key] = options[key];
  }
  return picked;
}
