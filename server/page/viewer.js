// The tprop live viewer page: connects to this server's socket, lays out views from the hello's
// topology (and again when it grows), loads the run's history, adds each frame to it, draws the
// latest frame once per animation frame, and sends the run's controls.

import { ActingView } from './acting-view.js';
import { Connection } from './connection.js';
import { DreamView } from './dream-view.js';
import { InferView } from './infer-view.js';
import { History } from './history.js';
import { CurveSet, LayerView, ModalityView } from './views.js';

const $ = (selector) => document.querySelector(selector);
const token = new URLSearchParams(location.search).get('token');
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const socketUrl = `${scheme}://${location.host}/socket${token ? `?token=${encodeURIComponent(token)}` : ''}`;
const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const view = {
  topology: null,
  layers: [],
  modalities: [],
  losses: null,
  metrics: null,
  history: new History(),
  frame: null,
  drawPending: false,
};
let requests = 0;
let chosenRate = null;
let dreams = 0;
const dreamView = new DreamView($('#dreams'));
const inferView = new InferView($('#inference'));
const actingView = new ActingView($('#acting'));

const connection = new Connection({ url: socketUrl, onMessage: handle, onStatus: showStatus });

function showStatus(status, detail) {
  const node = $('#status');
  node.dataset.status = status;
  node.textContent = detail;
  if (status !== 'live') setControls(null);
}

function setCounter(id, value, text = numbers.format(value)) {
  const node = $(id);
  node.dataset.value = String(value);
  node.textContent = text;
}

function showState({ paused, step, stepsPerSecond }) {
  setCounter('#step', step);
  setCounter('#steps-per-second', stepsPerSecond);
  setControls(paused);
}

/** Enables the buttons that make sense now; null (no connection) disables them all. */
function setControls(paused) {
  $('#pause').disabled = paused !== false;
  $('#resume').disabled = paused !== true;
  $('#step-once').disabled = paused !== true;
  $('#run-state').textContent = paused === null ? '—' : paused ? 'paused' : 'running';
  $('#run-state').dataset.paused = String(paused);
  $('#dream').disabled = paused === null || dreamView.modality === undefined;
  $('#infer').disabled = paused === null || inferView.modalities.length === 0;
}

/** Shows a rate in the select, adding it as an option if it is not one already. */
function showRate(rate) {
  const select = $('#rate');
  if (![...select.options].some((o) => Number(o.value) === rate)) {
    const option = new Option(String(rate), String(rate));
    const after = [...select.options].find((o) => Number(o.value) > rate);
    select.add(option, after ?? null);
  }
  select.value = [...select.options].find((o) => Number(o.value) === rate).value;
}

function notice(text) {
  const node = $('#notice');
  node.hidden = !text;
  node.textContent = text ?? '';
}

function handle(message) {
  switch (message.type) {
    case 'hello':
      if (message.protocol !== 2) notice(`this page speaks protocol 2, but the server speaks ${message.protocol}`);
      else notice(null);
      layout(message.topology);
      showState(message.state);
      // Every part at the server's default rate, unless this page chose a rate before a reconnect.
      if (chosenRate !== null) connection.send({ type: 'subscribe', id: ++requests, rate: chosenRate });
      else showRate(message.subscription.rate);
      break;
    case 'history':
      view.history.load(message);
      $('#history').dataset.from = message.steps.length ? String(message.steps[0]) : '';
      $('#history').textContent = message.steps.length
        ? `the server's history: ${numbers.format(message.steps.length)} points from step ` +
          `${numbers.format(message.steps[0])}, each of ${numbers.format(message.stride)}+ steps`
        : "the server's history: none yet";
      scheduleDraw();
      break;
    case 'topology':
      grow(message.topology);
      break;
    case 'frame':
      setCounter('#step', message.step);
      setCounter('#steps-per-second', message.stepsPerSecond);
      setCounter('#dropped', message.dropped);
      record(message);
      break;
    case 'state':
      showState(message);
      break;
    case 'dream':
      dreamView.show(message);
      break;
    case 'inference':
      inferView.show(message);
      break;
    case 'error':
      notice(`${message.code}: ${message.message}`);
      break;
    default:
      break; // 'ack' and anything newer need nothing here
  }
}

/** Builds every view for a topology (the history that follows the hello fills them). */
function layout(topology) {
  view.topology = topology;
  view.history.clear();
  view.frame = null;
  $('#run-name').textContent = `${topology.agent} · ${topology.environment}`;
  for (const id of ['#layers', '#modalities', '#losses', '#metrics']) $(id).replaceChildren();
  // Top layer first, as the stack is usually drawn.
  view.layers = [...topology.layers].reverse().map((layer) => new LayerView($('#layers'), layer));
  view.modalities = topology.modalities.map((modality) => new ModalityView($('#modalities'), modality));
  view.losses = new CurveSet($('#losses'), 'loss', topology.losses, topology.about?.losses);
  view.metrics = new CurveSet($('#metrics'), 'metric', topology.metrics, topology.about?.metrics);
  dreamView.setModality(topology.modalities.find((m) => m.name === 'next'));
  inferView.setModalities(topology.modalities.filter((m) => m.name !== 'next'));
  actingView.setTopology(topology);
  scheduleDraw();
}

/** A loss or metric came for the first time: add its curve, keep everything else. */
function grow(topology) {
  view.topology = topology;
  view.losses?.update(topology.losses, topology.about?.losses);
  view.metrics?.update(topology.metrics, topology.about?.metrics);
  scheduleDraw();
}

function record(frame) {
  const values = {};
  for (const layer of frame.layers ?? []) {
    values[`error:${layer.name}`] = layer.reconstructionError;
    let sum = 0;
    for (const v of layer.code) sum += Math.abs(v);
    if (layer.code.length) values[`activity:${layer.name}`] = sum / layer.code.length;
  }
  for (const [name, v] of Object.entries(frame.losses ?? {})) values[`loss:${name}`] = v;
  for (const [name, v] of Object.entries(frame.metrics ?? {})) values[`metric:${name}`] = v;
  for (const m of frame.modalities ?? []) if (typeof m.anomaly === 'number') values[`anomaly:${m.name}`] = m.anomaly;
  values.rate = frame.stepsPerSecond;
  view.history.push(frame.step, values);
  for (const m of view.modalities) m.sample(frame.modalities?.find((x) => x.name === m.modality.name));
  actingView.sample(frame);
  view.frame = frame;
  scheduleDraw();
}

function scheduleDraw() {
  if (view.drawPending) return;
  view.drawPending = true;
  requestAnimationFrame(draw);
}

function draw() {
  view.drawPending = false;
  const frame = view.frame;
  const { history } = view;
  for (const v of view.layers) {
    const data = frame?.layers?.find((l) => l.name === v.layer.name);
    v.draw(data && { ...data, step: frame.step }, history);
  }
  for (const v of view.modalities)
    v.draw(
      frame?.modalities?.find((m) => m.name === v.modality.name),
      frame?.step,
      history,
    );
  view.losses?.draw(frame?.losses, history);
  view.metrics?.draw(frame?.metrics, history);
  actingView.draw(frame?.metrics, history);
}

function control(action, extra = {}) {
  const sent = connection.send({ type: 'control', id: ++requests, action, ...extra, ...(token && { token }) });
  if (!sent) notice('not connected');
}

$('#pause').addEventListener('click', () => control('pause'));
$('#resume').addEventListener('click', () => control('resume'));
$('#step-once').addEventListener('click', () => control('step'));
$('#dream').addEventListener('click', () => {
  const steps = Number($('#dream-steps').value);
  const temperature = Number($('#dream-temperature').value);
  const sent = connection.send({
    type: 'dream',
    id: ++requests,
    steps,
    temperature,
    seed: ++dreams,
    ...(token && { token }),
  });
  if (!sent) notice('not connected');
});
$('#infer').addEventListener('click', () => {
  const request = inferView.request();
  if (request.error) return notice(request.error);
  const method = $('#infer-method').value;
  const samples = method === 'mcmc' ? 10 : 1;
  const message = { type: 'infer', id: ++requests, ...request, method, samples, ...(token && { token }) };
  if (!connection.send(message)) notice('not connected');
});
$('#rate').addEventListener('change', (event) => {
  chosenRate = Number(event.target.value);
  control('rate', { value: chosenRate });
});
window.addEventListener('resize', () => {
  scheduleDraw();
  dreamView.draw();
});
setControls(null);
connection.start();
