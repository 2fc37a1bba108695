// The top of a stack: where side information (labels, the next observation, rewards) enters,
// and where the first target comes from. Two kinds of top target (SPEC §2.2):
//   reconstruction: ĥ = h + β·(rec_h(h, y) − rec_h(h, ŷ(h)))   the top AE's reconstruction given the
//                   side, in difference form (plain form: ĥ = h + β·(rec_h(h, y) − h))
//   discriminant:   ĥ = h − η·∂(−log P(side | h))/∂h         one gradient step through the readout
// Rows missing their side information still get a target (see `target`), so unlabelled
// examples shape the codes too.

import type { Engine, Units } from '../math/index.js';
import type { ModalitySpec } from './modality.js';
import { type GradientPair, mergePairs } from '../optim/local-optimizer.js';
import { Rng } from '../random.js';
import { Readout } from './readout.js';
import { type SideMatrices, sideMatrices } from './side-batch.js';
import { ReplayRows, type ReplayState } from './replay-rows.js';
import { TopAutoEncoder } from './top-autoencoder.js';
import { createPrior } from '../priors/create-prior.js';
import type { PriorOptions, TopPrior } from '../priors/top-prior.js';
import type { UnsupervisedTarget } from './stack-options.js';

export const TOP_TARGETS = ['reconstruction', 'discriminant'] as const;
export type TopTargetKind = (typeof TOP_TARGETS)[number];

export interface TopConfig {
  readonly codeSize: number;
  readonly codeUnits: Units;
  readonly modalities: readonly ModalitySpec[];
  readonly target: TopTargetKind;
  /** β: step toward the reconstruction given the side. */
  readonly reconstructionStep: number;
  /** η: step of the discriminant target. */
  readonly discriminantStep: number;
  /** Weight of the target of rows whose side information is missing (0: no target). */
  readonly unsupervisedWeight: number;
  /**
   * 'pseudo-label' (fill the missing side with the top's most likely class), 'density' (rec with
   * it masked), or a prior's kind (a step up its log density, the prior fitted to every code).
   */
  readonly unsupervisedTarget: UnsupervisedTarget;
  /** The prior's options, for a prior target. */
  readonly prior?: PriorOptions;
  /** 'pseudo-label' only: a filled-in class counts where its predicted probability reaches this. */
  readonly unsupervisedConfidence: number;
  readonly size: number;
  readonly noise: number;
  readonly dropProbability: number | readonly number[];
  /** Weight of each modality in the discriminant target, in the order of `modalities`; default all 1. */
  readonly targetWeights?: readonly number[];
  /** Rows of past steps with side information kept for replay (0: none); see stack-options.ts. */
  readonly replay?: number;
  readonly replayRows?: number;
  readonly sideWeight: number;
  /** Train the top auto-encoder even where no target or prediction uses it (to show its reconstructions). */
  readonly trainAutoEncoder: boolean;
}

export interface TopGradients<M> {
  readonly autoencoder: GradientPair<M>[];
  readonly readout: GradientPair<M>[];
  readonly loss: M | null;
  readonly readoutLoss: M | null;
}

export class Top<M> {
  readonly autoencoder: TopAutoEncoder<M>;
  /** Present for the discriminant target only. */
  readonly readout: Readout<M> | null;
  /** The prior over top codes of a prior target, fitted to the codes of every target pass; else null. */
  readonly prior: TopPrior | null;
  /** Past rows with side information, replayed to the top auto-encoder (option `replay`). */
  private readonly replay: ReplayRows | null;

  constructor(
    private readonly e: Engine<M>,
    readonly config: TopConfig,
    rng: Rng,
  ) {
    this.autoencoder = new TopAutoEncoder(e, config, rng);
    this.readout = config.target === 'discriminant' ? new Readout(e, config.codeSize, config.modalities, rng) : null;
    const t = config.unsupervisedTarget;
    this.prior = t === 'pseudo-label' || t === 'density' ? null : createPrior(t, config.codeSize, config.prior);
    const capacity = config.replay ?? 0;
    this.replay = capacity > 0 ? new ReplayRows(capacity, config.modalities, new Rng(rng.int(1 << 30))) : null;
  }

  get parameters(): M[] {
    return [...this.autoencoder.parameters, ...(this.readout?.parameters ?? [])];
  }

  /** Whether this top keeps rows for replay (option `replay`). */
  get replays(): boolean {
    return this.replay !== null;
  }

  /** The replay rows (option `replay`) as plain data, or null without replay. */
  getReplayState(): ReplayState | null {
    return this.replay?.getState() ?? null;
  }

  /** Checks a saved `getReplayState` for this top (a CheckpointError naming the part) and returns it. */
  checkReplayState(state: unknown, where: string): ReplayState {
    return this.replay!.checkState(state, where, this.config.codeSize);
  }

  setReplayState(state: ReplayState): void {
    this.replay?.setState(state, this.config.codeSize);
  }

  /**
   * Whether the top auto-encoder takes part in learning: always for the reconstruction target;
   * with the discriminant target only for the 'density' target of unlabelled rows, or when asked.
   */
  get usesAutoEncoder(): boolean {
    const { target, unsupervisedTarget, unsupervisedWeight, trainAutoEncoder } = this.config;
    return (
      target === 'reconstruction' || trainAutoEncoder || (unsupervisedTarget === 'density' && unsupervisedWeight > 0)
    );
  }

  /** Predictions of every side modality from the code alone. */
  predict(code: M): M[] {
    return this.readout ? this.readout.predict(code) : this.autoencoder.predict(code);
  }

  /**
   * Target for the top code `code` given the side information of each row; `predicted` are
   * this top's predictions for `code` if the caller has them already. A modality missing from a
   * row is filled by a one-shot pseudo-label (SPEC §5): the most likely class under the top's own
   * prediction (the prediction itself for a continuous modality), weighted by
   * `unsupervisedWeight` where that class's probability reaches `unsupervisedConfidence`. So an
   * unlabelled example moves toward the code of the class it most likely belongs to, and one
   * whose side is already predicted exactly does not move.
   * With the reconstruction target the top AE reads a missing modality as absent (presence 0) and
   * a filled one as present where its fill weight is non-zero. With `unsupervisedTarget` 'density',
   * rows with no side at all instead take ĥ = h + u·(rec_h(h, ∅) − h), the seed paper's
   * reconstruction with the side masked.
   *   discriminant:   ĥ = h − η·Σ_m c_m·w_m·(P_m(h) − y_m)·R_mᵀ      (c_m: `targetWeights`)
   *   reconstruction: ĥ = h + β·w·(rec_h(h, y) − rec_h(h, ŷ(h)))   form 'difference': what the two
   *                   reconstructions share, the auto-encoder's own shrinkage toward the mean,
   *                   cancels, as in the difference form below
   *                   ĥ = h + β·w·(rec_h(h, y) − h)                 form 'plain', the seed paper's
   */
  target(
    code: M,
    side: SideMatrices<M>,
    form: 'difference' | 'plain',
    predicted: readonly M[] = this.predict(code),
  ): M {
    const e = this.e;
    const {
      reconstructionStep,
      discriminantStep,
      unsupervisedWeight,
      unsupervisedTarget,
      unsupervisedConfidence,
      modalities,
    } = this.config;
    const fillIn = unsupervisedTarget === 'pseudo-label' && unsupervisedWeight > 0;
    // A filled-in row counts only where the prediction is confident: early, unconfident guesses
    // would otherwise pull every unlabelled code toward whichever class is ahead.
    // (Only made where it is used: with the pseudo-label fill.)
    const fillWeight = fillIn
      ? predicted.map((p, m) =>
          modalities[m]!.kind === 'categorical'
            ? e.mul(e.above(e.rowMax(p), unsupervisedConfidence), unsupervisedWeight)
            : e.add(e.mul(side.present[m]!, 0), unsupervisedWeight),
        )
      : [];
    const completed = side.values.map((y, m) => {
      if (!fillIn) return y;
      const p = predicted[m]!;
      const guess = modalities[m]!.kind === 'categorical' ? e.oneHotArgMax(p) : p;
      return e.add(e.mul(y, side.present[m]!), e.mul(guess, e.sub(1, side.present[m]!)));
    });
    let target: M;
    if (this.readout) {
      const scale = this.config.targetWeights;
      const weights = side.present.map((present, m) => {
        const w = fillIn ? e.add(present, e.mul(e.sub(1, present), fillWeight[m]!)) : present;
        // A modality the options did not know (the stack's own 'next') keeps weight 1.
        const c = scale?.[m] ?? 1;
        return c === 1 ? w : e.mul(w, c);
      });
      target = e.sub(code, e.mul(this.readout.codeGradient(predicted, completed, weights), discriminantStep));
    } else {
      // The top AE reads each modality as [y ⊙ p, p]: a missing modality enters absent (p = 0),
      // as in training, not as "present, all zeros". A filled-in one counts as present where its
      // fill weight is non-zero (the class was confident enough); the fill weight itself scales
      // the step of rows with no real side (below), as with one modality.
      const presence = side.present.map((present, m) =>
        fillIn ? e.add(present, e.mul(e.sub(1, present), e.above(fillWeight[m]!, 0))) : present,
      );
      const input = (values: readonly M[]): M[] =>
        values.map((y, m) => e.concatCols([e.mul(y, presence[m]!), presence[m]!]));
      const ae = this.autoencoder;
      const given = ae.reconstructCode(code, input(completed));
      const anchor = form === 'difference' ? ae.reconstructCode(code, input(predicted)) : code;
      // A row with no real side moves by the largest fill weight among its modalities.
      const rowWeight = fillIn
        ? e.add(side.anyPresent, e.mul(e.sub(1, side.anyPresent), e.rowMax(e.concatCols(fillWeight))))
        : side.anyPresent;
      target = e.add(code, e.mul(e.sub(given, anchor), e.mul(rowWeight, reconstructionStep)));
    }
    if (this.prior !== null) {
      // Rows with no side at all take a step up the prior's log density; then every code joins
      // the prior (after its step, so no code is pulled toward itself).
      const rows = e.rows(code);
      const codes = e.read(code);
      if (unsupervisedWeight > 0 && this.prior.count > 0) {
        const step = new Float32Array(codes.length);
        this.prior.step(codes, rows, step);
        const weight = e.mul(e.sub(1, side.anyPresent), unsupervisedWeight);
        target = e.add(target, e.mul(e.matrix(step, rows, e.cols(code)), weight));
      }
      this.prior.observe(codes, rows);
    }
    if (unsupervisedTarget === 'density' && unsupervisedWeight > 0) {
      target = e.add(
        target,
        e.mul(
          e.sub(this.autoencoder.reconstructCode(code), code),
          e.mul(e.sub(1, side.anyPresent), unsupervisedWeight),
        ),
      );
    }
    return target;
  }

  /** `predicted`: this top's predictions for `code` (`predict`), if the caller has them already. */
  gradients(code: M, side: SideMatrices<M>, predicted?: readonly M[]): TopGradients<M> {
    let ae = this.usesAutoEncoder ? this.autoencoder.gradients(code, side) : null;
    if (ae && this.replay) {
      // Past rows first (so a row is not drawn in the pass that stores it), then the new ones kept.
      const past = this.replay.draw(this.config.replayRows ?? 16);
      if (past) {
        const more = this.autoencoder.gradients(
          this.e.matrix(past.codes, past.side.rows, this.config.codeSize),
          sideMatrices(this.e, this.config.modalities, past.side),
        );
        ae = { pairs: mergePairs(this.e, ae.pairs, more.pairs), loss: this.e.add(ae.loss, more.loss) };
      }
      this.replay.keep(this.e.read(code), side.rows, side, this.e);
    }
    const ro = this.readout?.gradients(code, side, predicted);
    return {
      autoencoder: ae?.pairs ?? [],
      readout: ro?.pairs ?? [],
      loss: ae?.loss ?? null,
      readoutLoss: ro?.loss ?? null,
    };
  }

  dispose(): void {
    this.autoencoder.dispose();
    this.readout?.dispose();
  }
}
