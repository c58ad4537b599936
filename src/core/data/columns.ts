import type { ColumnMapping } from './types';

type Role = keyof ColumnMapping;

/** Column names seen in the wild for each role, compared case-insensitively without a `:type` suffix. */
const KNOWN_NAMES: Record<Role, string[]> = {
  user: ['user_id', 'userid', 'user', 'uid', 'reviewerid', 'customer_id', 'session_id'],
  item: ['item_id', 'itemid', 'item', 'iid', 'movie_id', 'movieid', 'asin', 'product_id', 'business_id'],
  timestamp: ['timestamp', 'time', 'ts', 'unixreviewtime', 'datetime', 'date'],
  rating: ['rating', 'score', 'stars', 'overall'],
};

export function normaliseColumnName(name: string): string {
  return name
    .trim()
    .replace(/:[a-z_]+$/i, '')
    .toLowerCase();
}

export interface ResolvedColumns {
  user: number;
  item: number;
  timestamp?: number;
  rating?: number;
}

/**
 * Finds the column index of each role in a header: an explicit mapping (name or 0-based index)
 * wins, then the known names. Returns the roles it could not place so the caller can say which.
 */
export function resolveColumns(header: string[], mapping: ColumnMapping = {}): { columns: Partial<ResolvedColumns>; missing: string[] } {
  const names = header.map(normaliseColumnName);
  const columns: Partial<ResolvedColumns> = {};
  const missing: string[] = [];
  for (const role of ['user', 'item', 'timestamp', 'rating'] as Role[]) {
    const wanted = mapping[role];
    let index = -1;
    if (wanted !== undefined) {
      index = /^\d+$/.test(wanted) ? Number(wanted) : names.indexOf(normaliseColumnName(wanted));
      if (index < 0 || index >= header.length) missing.push(`${role} column ${JSON.stringify(wanted)}`);
    } else {
      index = names.findIndex((name) => KNOWN_NAMES[role].includes(name));
      if (index < 0 && (role === 'user' || role === 'item'))
        missing.push(`${role === 'item' ? 'an' : 'a'} ${role} column (one of ${KNOWN_NAMES[role].join(', ')}, or name yours with --${role}-col)`);
    }
    if (index >= 0 && index < header.length) columns[role] = index;
  }
  return { columns, missing };
}

/** Splits one CSV line (RFC 4180 quoting within a line). Returns undefined on an unterminated quote. */
export function splitCsvLine(line: string, delimiter: string): string[] | undefined {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (inQuotes) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        inQuotes = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      inQuotes = true;
    } else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  if (inQuotes) return undefined;
  fields.push(field);
  return fields;
}
