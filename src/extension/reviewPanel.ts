// Hosts the Review Flagged Descriptions webview: a `flag` job scores the texts (in a worker), the page shows
// them riskiest first, and each verdict is appended to the annotations file by an `appendAnnotation` job on
// the shared worker (validated, one O_APPEND write; the core's detector and validators stay out of the
// extension host). Regenerate asks the LLM again through an `annotate` job, after the user confirms (it is a
// paid call when a key is set).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlagJobResult } from '../core/jobs/flag';
import {
  REVIEW_VIEW_TYPE,
  type DatasetRef,
  type Entity,
  type FlagRecord,
  type FromWebview,
  type ReviewPanelState,
  type ToWebview,
  type Verdict,
} from '../../webview/review/protocol';
import { ANTHROPIC_KEY_ENV } from '../worker/protocol';
import type { ApiKeys } from './apiKeys';
import { pickDataset } from './datasetPicker';
import { inspectTargetOf } from './inspectTargets';
import { pickEntity } from './neighboursPanel';
import type { RunManager } from './runManager';
import { createPanel, OpenPanels, PanelHost, registerPanelSerializer, type WebviewPage } from './panelHost';
import { datasetFormat } from './settings';
import { workspaceRunsDirs } from './workspaceTree';

export interface ReviewDeps {
  extensionUri: vscode.Uri;
  runs: RunManager;
  key: ApiKeys;
}

export async function reviewFlags(deps: ReviewDeps, arg?: unknown): Promise<void> {
  const dataset = inspectTargetOf(arg).dataset ?? (await pickDataset());
  if (!dataset) return;
  const entity = await pickEntity('GRASP: Review the texts of…', { item: 'item descriptions, riskiest first', user: 'user profiles, riskiest first' });
  if (!entity) return;
  ReviewPanel.show(deps, dataset.fsPath, entity);
}

/** Texts with nothing to review (risk 0, no verdict) stay in the worker: Beauty has 12k of them. */
function worthReviewing(record: FlagRecord): boolean {
  return record.risk > 0 || record.flagged || record.annotation !== undefined;
}

const PAGE: WebviewPage = { viewType: REVIEW_VIEW_TYPE, script: 'review', title: 'Review flagged descriptions' };

export class ReviewPanel {
  private static readonly open = new OpenPanels<ReviewPanel>();
  private readonly host: PanelHost<ToWebview, FromWebview>;
  private result: FlagJobResult | undefined;
  private current: ToWebview;
  private cancel: vscode.CancellationTokenSource | undefined;

  static show(deps: ReviewDeps, datasetPath: string, entity: Entity): void {
    const existing = ReviewPanel.open.get(key(datasetPath, entity));
    if (existing) {
      existing.host.reveal();
      return;
    }
    const panel = createPanel(deps.extensionUri, PAGE, `Review: ${path.basename(datasetPath)} (${entity}s)`);
    void new ReviewPanel(deps, panel, { name: path.basename(datasetPath), path: datasetPath }, entity).load();
  }

  static registerSerializer(deps: ReviewDeps): vscode.Disposable {
    return registerPanelSerializer(deps.extensionUri, REVIEW_VIEW_TYPE, (panel, state) => {
      const saved = state as Partial<ReviewPanelState> | undefined;
      if (!saved?.dataset?.path || (saved.entity !== 'item' && saved.entity !== 'user')) return false;
      // The records are not kept in the page state (they can be megabytes): score again.
      void new ReviewPanel(deps, panel, { name: path.basename(saved.dataset.path), path: saved.dataset.path }, saved.entity).load();
      return true;
    });
  }

  private constructor(
    private readonly deps: ReviewDeps,
    panel: vscode.WebviewPanel,
    private readonly dataset: DatasetRef,
    private readonly entity: Entity,
  ) {
    this.current = { type: 'loading', dataset };
    ReviewPanel.open.add(key(dataset.path, entity), this, panel);
    this.host = new PanelHost(panel, deps.extensionUri, PAGE, {
      onMessage: (message) => this.onMessage(message),
      onDidClose: () => this.cancel?.cancel(),
    });
  }

  private post(message: ToWebview, remember = true): void {
    if (remember) this.current = message;
    this.host.post(message);
  }

  private onMessage(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.post(this.current, false);
        break;
      case 'refresh':
        void this.load();
        break;
      case 'verdict':
        void this.verdict(message.id, message.verdict, message.editedText);
        break;
      case 'regenerate':
        void this.regenerate(message.id);
        break;
    }
  }

  private async load(): Promise<void> {
    this.cancel?.cancel();
    const cancel = (this.cancel = new vscode.CancellationTokenSource());
    this.post({ type: 'loading', dataset: this.dataset });
    const outcome = await this.deps.runs.run({
      kind: 'flag',
      params: { dataset: this.dataset.path, entity: this.entity, top: 0, load: { format: datasetFormat() }, runsDirs: workspaceRunsDirs() },
      title: `Flag ${this.entity} texts of ${this.dataset.name}`,
      subjectFile: this.dataset.path,
      quiet: true,
      cancellation: cancel.token,
      onProgress: (update) => this.post({ type: 'loading', dataset: this.dataset, message: update.message, fraction: update.fraction }, false),
    });
    if (cancel !== this.cancel) return; // a newer load replaced this one
    if (outcome.status !== 'done') {
      this.post({ type: 'failed', dataset: this.dataset, message: outcome.status === 'failed' ? outcome.message : 'Cancelled.' });
      return;
    }
    const result = (this.result = outcome.result);
    this.post({
      type: 'records',
      dataset: this.dataset,
      records: result.records.filter(worthReviewing),
      summary: {
        entity: this.entity,
        total: result.total,
        flagged: result.flagged,
        threshold: result.config.threshold,
        source: result.source,
        absent: Object.fromEntries(Object.entries(result.absent).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
        annotationsFile: result.annotations.file,
        stale: result.annotations.stale,
      },
    });
  }

  private record(id: string): FlagRecord | undefined {
    return this.result?.records.find((record) => record.id === id);
  }

  private annotated(id: string, annotation: NonNullable<FlagRecord['annotation']>): void {
    const record = this.record(id);
    if (record) record.annotation = annotation;
    this.post({ type: 'annotated', id, annotation }, false);
    if (this.current.type === 'records') this.current = { ...this.current, records: this.result?.records.filter(worthReviewing) ?? [] };
  }

  private async verdict(id: string, verdict: Verdict, editedText?: string): Promise<void> {
    const record = this.record(id);
    if (!record || !this.result) return;
    // The hash of the text shown is stored: if the text changes later, this verdict becomes stale. On the
    // shared worker: a verdict is one small write, and the next one finds the worker started.
    const outcome = await this.deps.runs.run({
      kind: 'appendAnnotation',
      params: { file: this.result.annotations.file, annotation: { entity: this.entity, id, text: record.text, verdict, editedText } },
      title: `Record the verdict on ${this.entity} ${id}`,
      subjectFile: this.result.annotations.file,
      quiet: true,
      background: true,
    });
    if (outcome.status === 'done') {
      this.annotated(id, { verdict: outcome.result.verdict, stale: false, at: outcome.result.at });
      return;
    }
    const message = outcome.status === 'failed' ? outcome.message : 'cancelled';
    void vscode.window.showErrorMessage(`GRASP: could not record the verdict on ${id}: ${message}`);
    this.post({ type: 'annotateFailed', id, message }, false);
  }

  private async regenerate(id: string): Promise<void> {
    const paid = !!(await this.deps.key.workerEnv())[ANTHROPIC_KEY_ENV];
    if (paid) {
      const go = await vscode.window.showWarningMessage(
        `Regenerate the text of ${this.entity} ${id} with Claude, telling it why it was flagged? This is one paid API call.`,
        { modal: true },
        'Regenerate',
      );
      if (go !== 'Regenerate') {
        this.post({ type: 'annotateFailed', id, message: 'not regenerated' }, false);
        return;
      }
    }
    const outcome = await this.deps.runs.run({
      kind: 'annotate',
      params: { dataset: this.dataset.path, entity: this.entity, id, verdict: 'edited', regenerate: true, load: { format: datasetFormat() } },
      title: `Regenerate ${this.entity} ${id}`,
      subjectFile: this.dataset.path,
      summarize: (result) => ({ text: `new text from ${result.regenerated?.provider ?? '?'}/${result.regenerated?.model ?? '?'} recorded as edited` }),
    });
    if (outcome.status === 'done')
      this.annotated(id, { verdict: outcome.result.record.verdict, stale: false, at: outcome.result.record.at, note: outcome.result.record.note });
    else this.post({ type: 'annotateFailed', id, message: outcome.status }, false);
  }
}

function key(datasetPath: string, entity: Entity): string {
  return `${entity}\u0000${datasetPath}`;
}
