// The acting panel, shown once frames carry `acting` (an agent that acts): the rolling mean reward
// and each ended episode's return over the run, the action distribution inferred at the last action
// with the action taken marked, and the return commanded against the return achieved.

import { EpisodeReturns } from './history.js';
import { COLORS, drawBars, drawEmpty, drawLines, fitCanvas, short } from './plots.js';
import { Curve, swatch } from './views.js';

const steps = new Intl.NumberFormat('en-US');
const COMMANDED = COLORS[1];
const ACHIEVED = COLORS[0];

export class ActingView {
  /** `root` is the panel (hidden until a frame carries `acting`). */
  constructor(root) {
    this.root = root;
    this.curvesNode = root.querySelector('#acting-curves');
    this.bars = root.querySelector('#acting-bars');
    this.actionText = root.querySelector('#acting-action');
    this.returns = root.querySelector('#acting-returns');
    this.gapText = root.querySelector('#acting-gap');
    root
      .querySelector('#acting-bars-legend')
      .replaceChildren(
        swatch(COLORS[1], 'most likely'),
        swatch('#3a4654', 'other actions'),
        swatch(COLORS[0], 'the action taken'),
      );
    root
      .querySelector('#acting-returns-legend')
      .replaceChildren(swatch(COMMANDED, 'commanded', true), swatch(ACHIEVED, 'achieved'));
    this.episodes = new EpisodeReturns();
    this.setTopology(null);
  }

  /** A new run's layout: the labels of its actions and the definitions of its metrics; hidden again. */
  setTopology(topology) {
    this.labels = topology?.modalities.find((m) => m.name === 'action')?.labels;
    this.last = null;
    this.episodes.clear();
    this.root.hidden = true;
    const about = topology?.about?.metrics ?? {};
    this.curvesNode.replaceChildren();
    this.rewardCurve = new Curve(this.curvesNode, {
      name: 'acting/reward',
      label: 'reward (rolling mean)',
      key: 'metric:acting/reward',
      info: about['acting/reward'] ?? { definition: 'Mean reward per step lately' },
      color: COLORS[2],
      attribute: { 'data-acting-curve': 'reward' },
    });
    this.episodeCurve = new Curve(this.curvesNode, {
      name: 'episode return',
      label: 'episode return',
      key: 'return',
      info: {
        definition:
          'The return of each episode as it ended, one point per ended episode seen in a frame ' +
          '(since this page opened; of several ended between two frames, the last)',
      },
      color: COLORS[3],
      attribute: { 'data-acting-curve': 'episodeReturn' },
    });
  }

  /** Keeps a frame's acting record and each ended episode's return. */
  sample(frame) {
    const acting = frame.acting;
    if (!acting) return;
    this.last = { ...acting, frameStep: frame.step };
    this.episodes.record(frame.step, frame.metrics?.['acting/episodes'], acting.lastEpisodeReturn);
    this.root.hidden = false;
  }

  draw(metrics, history) {
    const acting = this.last;
    if (!acting) return;
    this.rewardCurve.draw(metrics?.['acting/reward'], history);
    this.episodeCurve.draw(acting.lastEpisodeReturn ?? null, this.episodes.history);
    this.drawBars(acting);
    this.drawReturns(acting, metrics, history);
  }

  label(k) {
    return this.labels?.[k] ?? String(k);
  }

  drawBars(acting) {
    const { probabilities, action } = acting;
    const { ctx, width, height } = fitCanvas(this.bars, 92);
    const box = { x: 0, y: 0, w: width, h: height };
    this.bars.dataset.bars = String(probabilities.length);
    this.bars.dataset.action = String(action);
    if (probabilities.length === 0) drawEmpty(ctx, box, 'no action');
    else drawBars(ctx, box, probabilities, action, this.labels);
    const taken = action < 0 ? 'no action yet' : `took ${this.label(action)} (p ${short(probabilities[action])})`;
    const reward = acting.reward === undefined ? '' : ` · reward ${short(acting.reward)}`;
    const episode = ` · episode so far ${short(acting.episodeReturn)}`;
    this.actionText.textContent = `step ${steps.format(acting.frameStep)}: ${taken}${reward}${episode}`;
  }

  drawReturns(acting, metrics, history) {
    const { ctx, width, height } = fitCanvas(this.returns, 92);
    const drawn = drawLines(
      ctx,
      { x: 0, y: 0, w: width, h: height },
      history.steps,
      [
        { values: history.get('metric:acting/commandedReturn'), color: COMMANDED, dashed: true },
        { values: history.get('metric:acting/achievedReturn'), color: ACHIEVED },
      ],
      { empty: 'no return achieved yet' },
    );
    this.returns.dataset.points = drawn ? String(drawn.points) : '0';
    const { commanded, achieved } = acting;
    const mean = metrics?.['acting/commandGap'];
    const known = Number.isFinite(commanded) && Number.isFinite(achieved);
    const now = known
      ? `last: commanded ${short(commanded)}, achieved ${short(achieved)}, gap ${short(commanded - achieved)} · `
      : '';
    this.gapText.dataset.gap = Number.isFinite(mean) ? String(mean) : '';
    this.gapText.textContent = `${now}mean |gap| ${short(mean)}`;
  }
}
