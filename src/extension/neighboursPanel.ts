// Hosts the Inspect Neighbours webview: one panel per (dataset, entity kind). Data comes from worker jobs
// (`entityList` once, `inspect` per id, answers cached so back/forward are instant); the webview keeps the
// history and is restored after a reload by the serializer.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EntityListJobResult } from '../core/jobs/entityList';
import {
  NEIGHBOURS_VIEW_TYPE,
  type DatasetRef,
  type Entity,
  type FromWebview,
  type InspectView,
  type NeighboursPanelState,
  type ToWebview,
} from '../../webview/neighbours/protocol';
import { pickDataset } from './datasetPicker';
import type { RunManager } from './runManager';
import { buildIndexFor } from './retrieval';
import { datasetFormat } from './settings';
import { workspaceRunsDirs } from './workspaceTree';
import { createPanel, OpenPanels, PanelHost, registerPanelSerializer, type WebviewPage } from './panelHost';

export interface NeighboursDeps {
  extensionUri: vscode.Uri;
  runs: RunManager;
}

/** Where an Inspect Neighbours request can start: a dataset (and maybe an entity and id) chosen elsewhere. */
export interface InspectTarget {
  dataset?: vscode.Uri;
  entity?: Entity;
  id?: string;
}

export async function pickEntity(
  title = 'GRASP: Inspect the neighbours of…',
  descriptions = { item: 'an item and the items most similar to its description', user: 'a user and the users with the most similar profiles' },
): Promise<Entity | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Items', description: descriptions.item, entity: 'item' as const },
      { label: 'Users', description: descriptions.user, entity: 'user' as const },
    ],
    { title },
  );
  return picked?.entity;
}

export async function inspectNeighbours(deps: NeighboursDeps, target: InspectTarget = {}): Promise<void> {
  const dataset = target.dataset ?? (await pickDataset());
  if (!dataset) return;
  const entity = target.entity ?? (await pickEntity());
  if (!entity) return;
  const existing = NeighboursPanel.find(dataset.fsPath, entity);
  let id = target.id;
  let list = existing?.list;
  if (id === undefined) {
    list ??= await loadList(deps, dataset.fsPath, entity);
    if (!list) return;
    id = await pickId(list);
    if (id === undefined) return;
  }
  // The list loaded for the quick pick goes to the panel: it is not loaded a second time.
  NeighboursPanel.show(deps, dataset.fsPath, entity, id, list);
}

/** On the shared worker, whose dataset load the inspect jobs that follow reuse. */
async function loadList(deps: NeighboursDeps, datasetPath: string, entity: Entity): Promise<EntityListJobResult | undefined> {
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `GRASP: reading the ${entity}s of ${path.basename(datasetPath)}` },
    () =>
      deps.runs.run({
        kind: 'entityList',
        params: { dataset: datasetPath, entity, load: { format: datasetFormat() } },
        title: `List the ${entity}s of ${path.basename(datasetPath)}`,
        subjectFile: datasetPath,
        quiet: true,
        background: true,
      }),
  );
  if (outcome.status === 'failed')
    void vscode.window.showErrorMessage(`GRASP: cannot list the ${entity}s of ${path.basename(datasetPath)}: ${outcome.message}`);
  return outcome.status === 'done' ? outcome.result : undefined;
}

/** The inspect job's refusals that building the index fixes (none yet, or built from an older embedding). */
export function needsIndex(message: string): boolean {
  return /no (item|user) index|built from an older embedding|was built for other (item|user)s/.test(message);
}

/** VS Code's quick pick over every id (its fuzzy filter copes with Beauty's 22k users). */
async function pickId(list: EntityListJobResult): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    list.ids.map((id, i) => ({ label: id, description: list.labels[i] })),
    { title: `GRASP: Which ${list.entity} of ${list.dataset}?`, placeHolder: 'Type an id or part of a title', matchOnDescription: true },
  );
  return picked?.label;
}

const PAGE: WebviewPage = { viewType: NEIGHBOURS_VIEW_TYPE, script: 'neighbours', title: 'Inspect neighbours' };

export class NeighboursPanel {
  private static readonly open = new OpenPanels<NeighboursPanel>();
  private readonly host: PanelHost<ToWebview, FromWebview>;
  private readonly results = new Map<string, InspectView>();
  private pendingId: string | undefined;
  private inspectCancel: vscode.CancellationTokenSource | undefined;
  list: EntityListJobResult | undefined;
  private listLoading: Promise<void> | undefined;

  static find(datasetPath: string, entity: Entity): NeighboursPanel | undefined {
    return NeighboursPanel.open.get(key(datasetPath, entity));
  }

  static show(deps: NeighboursDeps, datasetPath: string, entity: Entity, id: string, list?: EntityListJobResult): void {
    const existing = NeighboursPanel.find(datasetPath, entity);
    if (existing) {
      existing.host.reveal();
      existing.post({ type: 'navigate', id });
      return;
    }
    const ref = datasetRef(datasetPath);
    const panel = createPanel(deps.extensionUri, PAGE, title(ref, entity), { retainContextWhenHidden: false });
    new NeighboursPanel(deps, panel, ref, entity, id).list = list;
  }

  static registerSerializer(deps: NeighboursDeps): vscode.Disposable {
    return registerPanelSerializer(deps.extensionUri, NEIGHBOURS_VIEW_TYPE, (panel, state) => {
      const saved = state as Partial<NeighboursPanelState> | undefined;
      if (!saved?.dataset?.path || (saved.entity !== 'item' && saved.entity !== 'user')) return false; // saved before it knew what it showed
      new NeighboursPanel(deps, panel, datasetRef(saved.dataset.path), saved.entity, undefined);
      return true;
    });
  }

  private constructor(
    private readonly deps: NeighboursDeps,
    panel: vscode.WebviewPanel,
    private readonly dataset: DatasetRef,
    private readonly entity: Entity,
    initialId: string | undefined,
  ) {
    this.pendingId = initialId;
    NeighboursPanel.open.add(key(dataset.path, entity), this, panel);
    this.host = new PanelHost(panel, deps.extensionUri, PAGE, {
      onMessage: (message) => this.onMessage(message),
      onDidClose: () => this.inspectCancel?.cancel(),
    });
  }

  private post(message: ToWebview): void {
    this.host.post(message);
  }

  private onMessage(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.post({ type: 'init', dataset: this.dataset, entity: this.entity, id: this.pendingId });
        this.pendingId = undefined;
        void this.sendList();
        break;
      case 'open':
        void this.inspect(message.id);
        break;
      case 'quickPick':
        void this.quickPick();
        break;
      case 'buildIndex':
        void this.buildIndex(message.id);
        break;
    }
  }

  /** Embeds the texts and builds the index (as Build Neighbour Index does), then shows the id again. */
  private async buildIndex(id: string): Promise<void> {
    this.post({ type: 'loading', id, message: `Building the ${this.entity} neighbour index (embedding the texts, then indexing them)…` });
    const built = await buildIndexFor(this.deps.runs, this.dataset.path, this.entity);
    this.results.clear(); // answers read before the index changed
    if (built) void this.inspect(id);
    else this.post({ type: 'failed', id, message: `The ${this.entity} index was not built (see the GRASP output).`, fix: 'buildIndex' });
  }

  private async sendList(): Promise<void> {
    this.listLoading ??= (async () => {
      this.list ??= await loadList(this.deps, this.dataset.path, this.entity);
    })();
    await this.listLoading;
    if (this.list) this.post({ type: 'list', ids: this.list.ids, labels: this.list.labels });
    else {
      this.listLoading = undefined; // let a reload try again
      this.post({ type: 'listFailed', message: 'The list could not be loaded (see the GRASP output).' });
    }
  }

  private async quickPick(): Promise<void> {
    if (!this.list) await this.sendList();
    const id = this.list && (await pickId(this.list));
    if (id !== undefined) this.post({ type: 'navigate', id });
  }

  private async inspect(id: string): Promise<void> {
    const cached = this.results.get(id);
    if (cached) {
      this.post({ type: 'result', id, result: cached });
      return;
    }
    this.inspectCancel?.cancel(); // the user moved on: the older answer is not wanted
    const cancel = (this.inspectCancel = new vscode.CancellationTokenSource());
    // On the shared worker: the dataset, texts and GRASP checkpoint it loaded for the last id are still there.
    const outcome = await this.deps.runs.run({
      kind: 'inspect',
      params: { dataset: this.dataset.path, entity: this.entity, id, load: { format: datasetFormat() }, runsDirs: workspaceRunsDirs() },
      title: `Neighbours of ${this.entity} ${id}`,
      subjectFile: this.dataset.path,
      quiet: true,
      background: true,
      cancellation: cancel.token,
      onProgress: (update) => this.post({ type: 'loading', id, message: update.message, fraction: update.fraction }),
    });
    cancel.dispose();
    if (this.inspectCancel === cancel) this.inspectCancel = undefined;
    if (outcome.status === 'done') {
      this.results.set(id, outcome.result);
      this.post({ type: 'result', id, result: outcome.result });
    } else if (outcome.status === 'failed') {
      if (needsIndex(outcome.message)) {
        const what = /older embedding|other (item|user)s/.test(outcome.message)
          ? `The ${this.entity} neighbour index is out of date for this dataset.`
          : `This dataset has no ${this.entity} neighbour index yet.`;
        this.post({
          type: 'failed',
          id,
          message: `${what} Build it now: the ${this.entity} texts are embedded, then indexed; the neighbours show when it is done.`,
          fix: 'buildIndex',
          detail: outcome.message,
        });
      } else this.post({ type: 'failed', id, message: outcome.message });
    }
  }
}

function key(datasetPath: string, entity: Entity): string {
  return `${entity}\u0000${datasetPath}`;
}

function datasetRef(datasetPath: string): DatasetRef {
  return { name: path.basename(datasetPath), path: datasetPath };
}

function title(dataset: DatasetRef, entity: Entity): string {
  return `Neighbours: ${dataset.name} (${entity}s)`;
}
