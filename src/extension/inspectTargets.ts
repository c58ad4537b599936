// Ways into Inspect Neighbours besides the palette: the explorer or the datasets tree (a dataset), and a
// hover on an id in an interactions file (a dataset, an entity kind and an id).
import * as vscode from 'vscode';
import type { Entity } from '../../webview/neighbours/protocol';
import { looksLikeDataset } from './datasetPicker';
import type { InspectTarget } from './neighboursPanel';

/** What a hover link sends: plain JSON (command URIs carry JSON arguments). */
interface HoverArgs {
  dataset: string;
  entity: Entity;
  id: string;
}

function isHoverArgs(value: unknown): value is HoverArgs {
  const v = value as Partial<HoverArgs> | null;
  return !!v && typeof v.dataset === 'string' && (v.entity === 'item' || v.entity === 'user') && typeof v.id === 'string';
}

/** The command's argument, whoever invoked it: nothing (palette), a Uri (explorer), a tree node, a hover link. */
export function inspectTargetOf(arg: unknown): InspectTarget {
  if (arg instanceof vscode.Uri) return { dataset: arg };
  if (isHoverArgs(arg)) return { dataset: vscode.Uri.parse(arg.dataset), entity: arg.entity, id: arg.id };
  const resource = (arg as { resourceUri?: unknown } | null)?.resourceUri;
  if (resource instanceof vscode.Uri) return { dataset: resource };
  return {};
}

/**
 * Which entity a token of an interactions file is: an .inter/.csv/.tsv column named like user/item in
 * the header, or in S3-Rec `user item item …` lines the first token (user) or the rest (items).
 */
export function entityAt(document: vscode.TextDocument, line: number, column: number): Entity | undefined {
  const header = document.lineAt(0).text;
  const separator = header.includes('\t') ? '\t' : header.includes(',') && !/^\d/.test(header) ? ',' : ' ';
  const text = document.lineAt(line).text;
  const index = text.slice(0, column).split(separator).length - 1;
  const named = /[A-Za-z]/.test(header) && line > 0 ? header.split(separator)[index] : undefined;
  if (named !== undefined) return /user/i.test(named) ? 'user' : /item/i.test(named) ? 'item' : undefined;
  if (separator === ' ') return index === 0 ? 'user' : 'item';
  return undefined;
}

export class InspectIdHover implements vscode.HoverProvider {
  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!looksLikeDataset(document.uri) || document.lineCount > 5_000_000) return undefined;
    const range = document.getWordRangeAtPosition(position, /[^\s,]+/);
    if (!range) return undefined;
    const entity = entityAt(document, position.line, range.start.character);
    if (!entity) return undefined;
    const id = document.getText(range);
    const args: HoverArgs = { dataset: document.uri.toString(), entity, id };
    const link = `command:grasp.inspectNeighbours?${encodeURIComponent(JSON.stringify([args]))}`;
    const markdown = new vscode.MarkdownString();
    // Only this one command may run from the link; appendText escapes the id, so it cannot inject markup.
    markdown.isTrusted = { enabledCommands: ['grasp.inspectNeighbours'] };
    markdown.appendMarkdown(`[$(references) Inspect neighbours](${link}) of ${entity} `);
    markdown.appendText(id);
    markdown.supportThemeIcons = true;
    return new vscode.Hover(markdown, range);
  }
}
