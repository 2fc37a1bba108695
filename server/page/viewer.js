// The tprop live viewer page: connects to this server's socket, lays out views from the hello's
// topology, draws the latest frame once per animation frame, and sends the run's controls.

import { Connection } from './connection.js';
import { CurveSet, History, LayerView, ModalityView } from './views.js';

const $ = (selector) => document.querySelector(selector);
const token = new URLSearchParams(location.search).get('token');
const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/socket${token ? `?token=${encodeURIComponent(token)}` : ''}`;
const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const view = {
  topologyKey: '',
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
      layout(message.topology);
      showState(message.state);
      // Every part at the server's default rate, unless this page chose a rate before a reconnect.
      if (chosenRate !== null) connection.send({ type: 'subscribe', id: ++requests, rate: chosenRate });
      else showRate(message.subscription.rate);
      notice(null);
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
    case 'error':
      notice(`${message.code}: ${message.message}`);
      break;
    default:
      break; // 'ack' and anything newer need nothing here
  }
}

/** Builds every view for a topology; a reconnect to the same run keeps its history. */
function layout(topology) {
  const key = JSON.stringify(topology);
  if (key === view.topologyKey) return;
  view.topologyKey = key;
  view.history.clear();
  view.frame = null;
  $('#run-name').textContent = `${topology.agent} · ${topology.environment}`;
  for (const id of ['#layers', '#modalities', '#losses', '#metrics']) $(id).replaceChildren();
  // Top layer first, as the stack is usually drawn.
  view.layers = [...topology.layers].reverse().map((layer) => new LayerView($('#layers'), layer));
  view.modalities = topology.modalities.map((modality) => new ModalityView($('#modalities'), modality));
  view.losses = new CurveSet($('#losses'), 'loss', topology.losses);
  view.metrics = new CurveSet($('#metrics'), 'metric', topology.metrics);
  scheduleDraw();
}

function record(frame) {
  const values = {};
  for (const layer of frame.layers ?? []) values[`error:${layer.name}`] = layer.reconstructionError;
  for (const [name, v] of Object.entries(frame.losses ?? {})) values[`loss:${name}`] = v;
  for (const [name, v] of Object.entries(frame.metrics ?? {})) values[`metric:${name}`] = v;
  for (const m of view.modalities)
    Object.assign(values, m.sample(frame.modalities?.find((x) => x.name === m.modality.name)));
  view.history.push(frame.step, values);
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
  for (const v of view.layers)
    v.draw(
      frame?.layers?.find((l) => l.name === v.layer.name),
      history,
    );
  for (const v of view.modalities)
    v.draw(
      frame?.modalities?.find((m) => m.name === v.modality.name),
      history,
    );
  view.losses?.draw(frame?.losses, history);
  view.metrics?.draw(frame?.metrics, history);
}

function control(action, extra = {}) {
  const sent = connection.send({ type: 'control', id: ++requests, action, ...extra, ...(token && { token }) });
  if (!sent) notice('not connected');
}

$('#pause').addEventListener('click', () => control('pause'));
$('#resume').addEventListener('click', () => control('resume'));
$('#step-once').addEventListener('click', () => control('step'));
$('#rate').addEventListener('change', (event) => {
  chosenRate = Number(event.target.value);
  control('rate', { value: chosenRate });
});
window.addEventListener('resize', scheduleDraw);
setControls(null);
connection.start();
