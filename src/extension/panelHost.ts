// The lifecycle every GRASP webview panel shares: the page shell (webviewHtml: CSP nonce, asWebviewUri),
// typed messages both ways, a post that goes nowhere once the panel is closed, the open panels by key (so a
// second Show reveals the first), and the serializer that brings panels back after a window reload. Each
// panel keeps its own messages (webview/<name>/protocol.ts), its own switch over them, and its own state.
import * as vscode from 'vscode';
import { webviewHtml, webviewOptions } from './webviewHtml';

/** A page of dist/webview: its view type, its script and stylesheet name, and its fixed <title>. */
export interface WebviewPage {
  viewType: string;
  /** dist/webview/<script>.js and media/<script>.css */
  script: string;
  /** Goes into the page's markup: a fixed string, never a dataset's or a run's name. */
  title: string;
}

export interface PanelOptions {
  /** Keep the focus where it is (the run dashboard opens while the user goes on editing). */
  preserveFocus?: boolean;
  retainContextWhenHidden?: boolean;
}

/** A new panel beside the active editor; give it to a PanelHost to load its page. */
export function createPanel(extensionUri: vscode.Uri, page: WebviewPage, tabTitle: string, options: PanelOptions = {}): vscode.WebviewPanel {
  const { preserveFocus, ...panelOptions } = options;
  return vscode.window.createWebviewPanel(
    page.viewType,
    tabTitle,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
    { ...webviewOptions(extensionUri), ...panelOptions },
  );
}

export interface PanelHandlers<FromWebview> {
  onMessage(message: FromWebview): void;
  /** The panel closed (by the user, or disposed): stop what it started, e.g. its jobs. */
  onDidClose?(): void;
}

/** One panel's side of its page: loads the page, dispatches the page's messages, posts the host's. */
export class PanelHost<ToWebview, FromWebview> {
  private closed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    page: WebviewPage,
    handlers: PanelHandlers<FromWebview>,
  ) {
    panel.webview.html = webviewHtml(panel.webview, extensionUri, page.script, page.title);
    panel.webview.onDidReceiveMessage((message: FromWebview) => handlers.onMessage(message));
    panel.onDidDispose(() => {
      this.closed = true;
      handlers.onDidClose?.();
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Open and in view: a notification about its result would only cover it. */
  get visible(): boolean {
    return !this.closed && this.panel.visible;
  }

  /** Dropped once the panel is closed: a job that ends after the user closed its panel has nobody to tell. */
  post(message: ToWebview): void {
    if (!this.closed) void this.panel.webview.postMessage(message);
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside);
  }
}

/** The open panels of one kind by what they show (a dataset, a run folder): one panel per key. */
export class OpenPanels<Owner> {
  private readonly byKey = new Map<string, Owner>();

  get(key: string): Owner | undefined {
    return this.byKey.get(key);
  }

  /** Listed until `panel` closes; a newer panel under the same key is not removed when an older one closes. */
  add(key: string, owner: Owner, panel: vscode.WebviewPanel): void {
    this.byKey.set(key, owner);
    panel.onDidDispose(() => {
      if (this.byKey.get(key) === owner) this.byKey.delete(key);
    });
  }
}

/**
 * Restores panels of `viewType` after a window reload from the state their page saved. `restore` builds the
 * panel's host and returns true, or returns false when the state shows nothing (saved before the panel knew
 * what it showed, or not a state this version reads): that panel is closed rather than left blank.
 */
export function registerPanelSerializer(
  extensionUri: vscode.Uri,
  viewType: string,
  restore: (panel: vscode.WebviewPanel, state: unknown) => boolean,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      // A restored panel comes back without its options: scripts and local resources are allowed again here.
      panel.webview.options = webviewOptions(extensionUri);
      if (!restore(panel, state)) panel.dispose();
    },
  });
}
