// The live dashboard page: built once, then updated in place as events arrive (tiles, status line,
// preparation stages, two charts, the validation table), never re-rendered from scratch while a run
// trains. Laid out for a panel beside the editor (from 400 px up): the key numbers first as tiles, the
// charts follow the panel's width, the validation table scrolls inside its own box.
import { el, header, numberInput } from '../ui/dom';
import { button } from '../ui/kit';
import { plot, type PlotSeries } from '../ui/plot';
import { formatSeconds, liveFigures, smooth, stopReason } from './live';
import type { CurveSettings, LiveState } from './protocol';

export interface LiveActions {
  cancel(): void;
  curvesChanged(settings: CurveSettings): void;
}

const METRICS_PLOTTED = ['NDCG@10', 'HR@10', 'MRR'];

export interface LiveView {
  update(state: LiveState): void;
}

const STATUS_LABEL: Record<LiveState['status'], string> = {
  running: 'Training',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted (the window was reloaded while it ran, or the run stopped)',
};

function tile(id: string, label: string): { box: HTMLElement; value: HTMLElement; hint: HTMLElement } {
  const box = el('div', 'tile');
  box.id = id;
  const value = el('div', 'tile-value', '—');
  const hint = el('div', 'tile-hint');
  box.append(el('div', 'tile-label', label), value, hint);
  return { box, value, hint };
}

/** "1:05" or "1:02:05": wall time on the x axis. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function renderLive(root: HTMLElement, initial: LiveState, initialCurves: CurveSettings, actions: LiveActions): LiveView {
  let curves = initialCurves;
  let last = initial;
  const cancel = button('Cancel run', actions.cancel);
  cancel.id = 'cancel-run';
  const head = header(initial.title, initial.runDir, [cancel], initial.note);
  const status = el('p', 'status live-status');
  status.setAttribute('role', 'status');
  // Why training ended (early stopping, the time budget, the epoch budget): a result is read differently for each.
  const stopped = el('p', 'note stop-reason');
  stopped.id = 'stop-reason';
  const bar = el('progress', 'load-progress');
  bar.max = 1;
  bar.setAttribute('aria-label', 'Training progress');

  const tiles = el('section', 'tiles live-tiles');
  const phase = tile('tile-phase', 'Progress');
  const best = tile('tile-best', 'Best NDCG@10 (valid)');
  const testNdcg = tile('tile-test-ndcg', 'Test NDCG@10');
  const testHr = tile('tile-test-hr', 'Test HR@10');
  const speed = tile('tile-speed', 'Speed');
  const eta = tile('tile-eta', 'Time left');
  const engine = tile('tile-backend', 'Engine');
  tiles.append(phase.box, best.box, testNdcg.box, testHr.box, speed.box, eta.box, engine.box);

  const stages = el('details', 'stages');
  stages.append(el('summary', undefined, 'Preparing the text side'));
  const stageList = el('ol', 'stage-list');
  stages.append(stageList);

  // Curve settings, as TensorBoard has them: the x axis (epochs or wall time) and the loss smoothing.
  const axis = axisSelect(curves.x);
  const smoothing = numberInput('range', { min: 0, max: 0.99, step: 0.01 }, curves.smoothing, 'Loss smoothing');
  smoothing.id = 'smoothing';
  const smoothingValue = el('span', 'note', curves.smoothing.toFixed(2));
  const controls = el('div', 'curve-controls');
  const axisLabel = el('label', 'control');
  axisLabel.append(el('span', 'note', 'x axis '), axis);
  const smoothingLabel = el('label', 'control');
  smoothingLabel.append(el('span', 'note', 'smoothing '), smoothing, smoothingValue);
  controls.append(axisLabel, smoothingLabel);
  const changeCurves = (next: CurveSettings) => {
    curves = next;
    smoothingValue.textContent = curves.smoothing.toFixed(2);
    actions.curvesChanged(curves);
    draw(last);
  };
  axis.addEventListener('change', () => changeCurves({ ...curves, x: axis.value === 'time' ? 'time' : 'epoch' }));
  smoothing.addEventListener('input', () => changeCurves({ ...curves, smoothing: Number(smoothing.value) || 0 }));

  const loss = plot({ label: 'Training loss', x: 'epoch', y: 'loss', height: 180 });
  loss.element.id = 'loss-chart';
  const valid = plot({ label: 'Validation metrics', x: 'epoch', y: 'validation (full ranking)', height: 180 });
  valid.element.id = 'valid-chart';
  const tableBox = el('div', 'table-scroll');
  const table = el('table', 'grid valid-table');
  tableBox.append(table);
  const testBox = el('div', 'test-box');
  root.replaceChildren(
    head,
    status,
    stopped,
    bar,
    tiles,
    stages,
    controls,
    el('h2', undefined, 'Training loss'),
    loss.element,
    el('h2', undefined, 'Validation'),
    valid.element,
    tableBox,
    testBox,
  );

  const draw = (state: LiveState) => {
    const time = curves.x === 'time';
    const xLabel = time ? 'wall time (training and validation)' : 'epoch';
    const formatX = time ? clock : undefined;
    const stepPoints = state.loss.filter((p) => !time || p.seconds !== undefined).map((p): [number, number] => [time ? p.seconds! : p.x, p.loss]);
    const epochPoints = state.epochLoss.filter((p) => !time || p.seconds !== undefined).map((p): [number, number] => [time ? p.seconds! : p.epoch, p.loss]);
    const lossSeries: PlotSeries[] = [];
    if (curves.smoothing > 0 && stepPoints.length > 0) {
      lossSeries.push({ label: 'loss (raw)', tone: 0, points: stepPoints, faint: true });
      lossSeries.push({ label: `loss (smoothed ${curves.smoothing.toFixed(2)})`, tone: 0, points: smooth(stepPoints, curves.smoothing) });
    } else lossSeries.push({ label: 'loss (running mean in the epoch)', tone: 0, points: stepPoints });
    lossSeries.push({
      label: 'epoch loss',
      tone: 1,
      points: curves.smoothing > 0 && stepPoints.length === 0 ? smooth(epochPoints, curves.smoothing) : epochPoints,
      markers: true,
    });
    loss.update(lossSeries, { x: xLabel, formatX, integerX: !time });
    const evals = [...state.evals].sort((a, b) => a.epoch - b.epoch).filter((e) => !time || e.seconds !== undefined);
    valid.update(
      METRICS_PLOTTED.map((metric, i) => ({
        label: metric,
        tone: i,
        markers: true,
        points: evals.filter((e) => metric in e.valid).map((e): [number, number] => [time ? e.seconds! : e.epoch, e.valid[metric]]),
      })),
      { x: xLabel, formatX, integerX: !time },
    );
  };

  const update = (state: LiveState) => {
    last = state;
    const subtitle = head.querySelector('.path');
    if (subtitle && state.runDir) subtitle.textContent = state.runDir;
    const figures = liveFigures(state);
    status.textContent = [STATUS_LABEL[state.status], state.message].filter(Boolean).join(' · ');
    status.dataset.status = state.status;
    const fraction = figures.budget?.fraction ?? state.fraction;
    if (fraction !== undefined) bar.value = fraction;
    const reason = stopReason(state);
    stopped.textContent = reason ?? '';
    stopped.hidden = !reason;
    bar.hidden = state.status !== 'running';
    // A finished or reopened run has nothing to cancel: no button, rather than a disabled one.
    cancel.hidden = state.status !== 'running';
    cancel.toggleAttribute('disabled', state.status !== 'running');

    phase.value.textContent = figures.phase;
    phase.hint.textContent = figures.budget?.hint ?? (state.status !== 'running' && state.bestEpoch ? `best epoch ${state.bestEpoch}` : '');
    phase.box.title = phase.hint.textContent;
    best.value.textContent = figures.bestValid ? figures.bestValid.value.toFixed(4) : '—';
    best.hint.textContent = figures.bestValid ? `epoch ${figures.bestValid.epoch}` : 'after the first validation';
    testNdcg.value.textContent = state.test?.['NDCG@10'] !== undefined ? state.test['NDCG@10'].toFixed(4) : '—';
    testHr.value.textContent = state.test?.['HR@10'] !== undefined ? state.test['HR@10'].toFixed(4) : '—';
    testNdcg.hint.textContent = testHr.hint.textContent = state.test ? `at the best epoch${state.bestEpoch ? ` (${state.bestEpoch})` : ''}` : 'at the end';
    const perEpoch = figures.secondsPerEpoch;
    speed.value.textContent =
      perEpoch !== undefined ? `${perEpoch < 1 ? perEpoch.toFixed(2) : perEpoch < 10 ? perEpoch.toFixed(1) : Math.round(perEpoch)} s/epoch` : '—';
    speed.hint.textContent =
      figures.sequencesPerSecond !== undefined ? `${Math.round(figures.sequencesPerSecond).toLocaleString('en-US')} seq/s` : 'after the first epoch';
    eta.value.textContent = figures.eta?.value ?? (state.status === 'running' ? 'estimating…' : formatSeconds(state.clock));
    eta.hint.textContent =
      figures.eta?.hint ?? (state.status === 'running' ? `${formatSeconds(state.clock)} of training so far` : 'of training and validation');
    eta.box.title = eta.hint.textContent;
    eta.box.querySelector('.tile-label')!.textContent = state.status === 'running' ? 'Time left' : 'Time taken';
    engine.value.textContent = state.backend?.split(/[ ,(]/)[0] || '—';
    engine.hint.textContent = state.backend ?? 'reported when the run starts';
    engine.box.title = state.backend ?? '';

    stages.hidden = state.stages.length === 0;
    stages.open = state.status === 'running' && state.loss.length === 0;
    stageList.replaceChildren(
      ...state.stages.map((stage) => {
        const row = el('li', 'stage');
        const done = state.stages.some((s) => s.stage > stage.stage) || state.loss.length > 0 || state.status !== 'running';
        const progress = el('progress');
        progress.max = 1;
        if (done) progress.value = 1;
        else if (stage.fraction !== undefined) progress.value = stage.fraction;
        else progress.removeAttribute('value'); // indeterminate: the stage gives no fraction
        row.append(el('span', 'stage-name', `${stage.stage}/${stage.stages} ${stage.name}`), progress);
        if (stage.detail && !done) row.append(el('span', 'note stage-detail', stage.detail));
        return row;
      }),
    );

    draw(state);
    renderTable(table, state);
    testBox.replaceChildren();
    if (state.test) {
      testBox.append(el('h2', undefined, `Test at the best validation epoch (${state.bestEpoch ?? '?'})`));
      const box = el('div', 'table-scroll');
      const t = el('table', 'grid test-table');
      for (const [name, value] of Object.entries(state.test)) {
        const row = t.insertRow();
        row.insertCell().textContent = name;
        const cell = row.insertCell();
        cell.className = 'num';
        cell.textContent = value.toFixed(4);
      }
      box.append(t);
      testBox.append(box);
    }
  };
  update(initial);
  return { update };
}

/** Metric columns in a reading order: NDCG then HR by cut-off, then the rest. */
export function metricOrder(names: readonly string[]): string[] {
  const rank = (name: string) => {
    const match = /^(NDCG|HR|Recall|Precision)@(\d+)$/.exec(name);
    return match ? [['NDCG', 'HR', 'Recall', 'Precision'].indexOf(match[1]), Number(match[2])] : [9, 0];
  };
  return [...names].sort((a, b) => {
    const [ka, na] = rank(a);
    const [kb, nb] = rank(b);
    return ka - kb || na - nb || a.localeCompare(b);
  });
}

function renderTable(table: HTMLTableElement, state: LiveState): void {
  const names = metricOrder([...new Set(state.evals.flatMap((e) => Object.keys(e.valid)))]);
  table.replaceChildren();
  if (state.evals.length === 0) return;
  const head = table.createTHead().insertRow();
  for (const title of ['epoch', ...names]) head.append(el('th', undefined, title));
  const body = table.createTBody();
  for (const e of [...state.evals].sort((a, b) => b.epoch - a.epoch)) {
    const row = body.insertRow();
    row.className = e.best ? 'eval-row best-row' : 'eval-row';
    const epoch = row.insertCell();
    epoch.textContent = e.best ? `${e.epoch} ★` : String(e.epoch);
    if (e.best) epoch.title = 'best validation NDCG@10 so far';
    for (const name of names) {
      const cell = row.insertCell();
      cell.className = 'num';
      cell.textContent = e.valid[name] !== undefined ? e.valid[name].toFixed(4) : '—';
    }
  }
}

/** The curves' horizontal axis, as TensorBoard offers it: epochs or wall time. */
export function axisSelect(value: CurveSettings['x']): HTMLSelectElement {
  const axis = el('select');
  axis.id = 'x-axis';
  axis.setAttribute('aria-label', 'Horizontal axis');
  for (const [option, label] of [
    ['epoch', 'epochs'],
    ['time', 'wall time'],
  ]) {
    const choice = el('option', undefined, label);
    choice.value = option;
    axis.append(choice);
  }
  axis.value = value;
  return axis;
}
