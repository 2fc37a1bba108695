// The top of a stack: where side information (labels, the next observation, rewards) enters,
// and where the first target comes from. Two kinds of top target (SPEC §2.2):
//   reconstruction: ĥ = h + β·(rec_h(h, y) − rec_h(h, ŷ(h)))   the top AE's reconstruction given the
//                   side, in difference form (plain form: ĥ = h + β·(rec_h(h, y) − h))
//   discriminant:   ĥ = h − η·∂(−log P(side | h))/∂h         one gradient step through the readout
// Rows without any side information take the unsupervised target ĥ = h + β_u·(rec_h(h, ∅) − h)
// in both kinds, so unlabelled examples still shape the codes toward higher density.

import { type Tensor2D, add, concat, mul, sub, type Units, type Variable } from './math/index.js';
import type { ModalitySpec } from './modality.js';
import type { GradientPair } from './optim/optimizer.js';
import type { Rng } from './random.js';
import { Readout } from './readout.js';
import type { SideTensors } from './side-batch.js';
import { TopAutoEncoder } from './top-autoencoder.js';

export const TOP_TARGETS = ['reconstruction', 'discriminant'] as const;
export type TopTargetKind = (typeof TOP_TARGETS)[number];

export interface TopConfig {
  readonly codeSize: number;
  readonly codeUnits: Units;
  readonly modalities: readonly ModalitySpec[];
  readonly target: TopTargetKind;
  /** β: step toward the reconstruction given the side (1: the reconstruction itself). */
  readonly reconstructionStep: number;
  /** η: step of the discriminant target. */
  readonly discriminantStep: number;
  /** β_u: step toward the reconstruction for rows with no side information (0: no target). */
  readonly unsupervisedStep: number;
  readonly size: number;
  readonly noise: number;
  readonly dropProbability: number;
  readonly sideWeight: number;
}

export interface TopGradients {
  readonly autoencoder: GradientPair[];
  readonly readout: GradientPair[];
  readonly loss: Tensor2D;
  readonly readoutLoss: Tensor2D | null;
}

export class Top {
  readonly autoencoder: TopAutoEncoder;
  /** Present for the discriminant target only. */
  readonly readout: Readout | null;

  constructor(
    readonly config: TopConfig,
    rng: Rng,
  ) {
    this.autoencoder = new TopAutoEncoder(config, rng);
    this.readout = config.target === 'discriminant' ? new Readout(config.codeSize, config.modalities, rng) : null;
  }

  get variables(): Variable[] {
    return [...this.autoencoder.variables, ...(this.readout?.variables ?? [])];
  }

  /**
   * Target for the top code `code` given the side information of each row. For the
   * reconstruction target, form 'difference' anchors on the reconstruction with each present
   * modality replaced by the top's own prediction of it (one step of MAP inference of the
   * missing modality, SPEC §5): ĥ = h + β·(rec_h(h, y) − rec_h(h, ŷ(h))). What the two share
   * (the auto-encoder's shrinkage, the presence flags) cancels, and the displacement vanishes
   * where the prediction is already right, as the discriminant step's does. Form 'plain' is the
   * seed paper's ĥ = h + β·(rec_h(h, y) − h).
   */
  target(code: Tensor2D, side: SideTensors, form: 'difference' | 'plain' = 'difference'): Tensor2D {
    const { reconstructionStep, discriminantStep, unsupervisedStep } = this.config;
    const ae = this.autoencoder;
    const unsupervised = (): Tensor2D => mul(mul(sub(1, side.anyPresent), unsupervisedStep), sub(ae.reconstructCode(code), code));
    if (this.readout) {
      const supervised = sub<Tensor2D>(code, mul(discriminantStep, this.readout.codeGradient(code, side)));
      return unsupervisedStep === 0 ? supervised : add(supervised, unsupervised());
    }
    const given = ae.reconstructCode(code, side.inputs);
    let anchor: Tensor2D = code;
    if (form === 'difference') {
      const predicted = ae.predict(code);
      const imputed = predicted.map((p, m): Tensor2D => concat([mul<Tensor2D>(p, side.present[m]!), side.present[m]!], 1));
      anchor = ae.reconstructCode(code, imputed);
    }
    const supervised = add<Tensor2D>(code, mul(mul(side.anyPresent, reconstructionStep), sub(given, anchor)));
    return unsupervisedStep === 0 ? supervised : add(supervised, unsupervised());
  }

  /** Predictions of every side modality from the code alone. */
  predict(code: Tensor2D): Tensor2D[] {
    return this.readout ? this.readout.predict(code) : this.autoencoder.predict(code);
  }

  gradients(code: Tensor2D, side: SideTensors): TopGradients {
    const ae = this.autoencoder.gradients(code, side);
    const ro = this.readout?.gradients(code, side);
    return { autoencoder: ae.pairs, readout: ro?.pairs ?? [], loss: ae.loss, readoutLoss: ro?.loss ?? null };
  }

  dispose(): void {
    this.autoencoder.dispose();
    this.readout?.dispose();
  }
}
