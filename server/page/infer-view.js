// The inference panel: per side modality, infer it or clamp it to a value, and see what the
// agent infers from the run's last observation with the clamped ones set (MAP, or the mean and
// spread of MCMC samples). A class shows its most likely value and probability; a vector its values.

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

export class InferView {
  constructor(root) {
    this.root = root;
    this.rows = root.querySelector('#infer-rows');
    this.output = root.querySelector('#infer-output');
    this.modalities = [];
    this.controls = new Map();
  }

  /** The side modalities (all but the next input); none disables the panel. */
  setModalities(modalities) {
    this.modalities = modalities;
    this.rows.replaceChildren();
    this.controls.clear();
    for (const m of modalities) {
      const row = document.createElement('div');
      row.className = 'infer-row';
      const name = document.createElement('span');
      name.textContent = m.name;
      const mode = document.createElement('select');
      mode.dataset.inferMode = m.name;
      mode.append(option('infer', 'infer'), option('clamp', 'clamp to'));
      let value;
      if (m.kind === 'categorical') {
        value = document.createElement('select');
        (m.labels ?? Array.from({ length: m.size }, (_, i) => String(i))).forEach((l, i) => value.append(option(i, l)));
      } else {
        value = document.createElement('input');
        value.value = new Array(m.size).fill(0).join(', ');
      }
      value.dataset.inferValue = m.name;
      row.append(name, mode, value);
      this.rows.append(row);
      this.controls.set(m.name, { mode, value, modality: m });
    }
    this.output.textContent = modalities.length
      ? 'choose what to infer and what to clamp'
      : 'no side modality to infer';
    this.output.dataset.step = '';
  }

  /** The request the controls describe, or a reason it cannot be sent. */
  request() {
    const clamp = {};
    const infer = [];
    for (const [name, { mode, value, modality }] of this.controls) {
      if (mode.value === 'infer') infer.push(name);
      else if (modality.kind === 'categorical') clamp[name] = Number(value.value);
      else {
        const values = value.value.split(',').map((v) => Number(v.trim()));
        if (values.length !== modality.size || values.some((v) => !Number.isFinite(v)))
          return { error: `${name}: expected ${modality.size} numbers separated by commas` };
        clamp[name] = values;
      }
    }
    if (infer.length === 0) return { error: 'choose a modality to infer' };
    return { clamp, infer };
  }

  show(message) {
    const { samples, step, method } = message;
    this.output.dataset.step = String(step);
    const lines = [`from step ${step}, ${method === 'mcmc' ? `${samples.length} MCMC samples` : 'MAP'}:`];
    for (const [name, first] of Object.entries(samples[0] ?? {})) {
      const m = this.controls.get(name)?.modality;
      const mean = first.map((_, i) => samples.reduce((s, x) => s + x[name][i], 0) / samples.length);
      if (m?.kind === 'categorical') {
        const best = mean.indexOf(Math.max(...mean));
        lines.push(`${name}: ${m.labels?.[best] ?? best} (${fmt.format(mean[best])})`);
      } else lines.push(`${name}: ${mean.map((v) => fmt.format(v)).join(', ')}`);
    }
    this.output.textContent = lines.join('\n');
  }
}
