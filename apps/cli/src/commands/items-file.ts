import { Item } from '@recsys/contracts/ranking';
import { ITEM_TYPES } from '@recsys/contracts/vocabularies';

/**
 * Reading catalog files for `recsys items import`: CSV with a header row, or
 * JSON lines (one item object per line, proto JSON names: item_id, category,
 * price, tags, attributes, available, published_at…). CSV columns: item_id,
 * item_type (product|content|offer), title, category, brand, price, tags
 * (separated by `|`), available (true/false), published_at (RFC 3339), and
 * `attr.<key>` columns for attributes. Each item remembers its line number so
 * a server error on `items[i]` can name the line.
 */
export interface ParsedItem {
  line: number;
  item: Item;
}

export class ItemFileError extends Error {}

export function parseItemsFile(text: string, fileName: string): ParsedItem[] {
  const trimmed = text.replace(/^\uFEFF/, '');
  return /\.(jsonl|ndjson)$/i.test(fileName) || trimmed.trimStart().startsWith('{') ? parseJsonLines(trimmed) : parseCsv(trimmed);
}

function parseJsonLines(text: string): ParsedItem[] {
  const out: ParsedItem[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      out.push({ line: i + 1, item: Item.fromJSON(JSON.parse(raw)) });
    } catch (err) {
      throw new ItemFileError(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and newlines. */
export function csvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f !== '')) records.push({ line: start, fields });
      fields = [];
      field = '';
      line++;
      start = line;
    } else field += ch;
  }
  if (quoted) throw new ItemFileError(`line ${start}: unterminated quoted field`);
  fields.push(field);
  if (fields.some((f) => f !== '')) records.push({ line: start, fields });
  return records;
}

function parseCsv(text: string): ParsedItem[] {
  const [header, ...rows] = csvRecords(text);
  if (!header) return [];
  const cols = header.fields.map((h) => h.trim());
  if (!cols.includes('item_id')) throw new ItemFileError('line 1: the CSV header needs an item_id column');
  return rows.map(({ line, fields }) => {
    const get = (name: string) => {
      const i = cols.indexOf(name);
      return i < 0 ? '' : (fields[i] ?? '').trim();
    };
    const typeName = get('item_type').toLowerCase();
    if (typeName && !ITEM_TYPES.has(typeName)) throw new ItemFileError(`line ${line}: item_type must be product, content or offer`);
    const available = get('available').toLowerCase();
    if (available && !['true', 'false', '1', '0', 'yes', 'no'].includes(available)) throw new ItemFileError(`line ${line}: available must be true or false`);
    const published = get('published_at');
    const publishedAt = published ? new Date(published) : undefined;
    if (publishedAt && Number.isNaN(publishedAt.getTime())) throw new ItemFileError(`line ${line}: published_at is not a date`);
    const attributes: Record<string, string> = {};
    cols.forEach((c, i) => {
      if (c.startsWith('attr.') && fields[i]) attributes[c.slice(5)] = fields[i]!;
    });
    return {
      line,
      item: Item.fromPartial({
        itemId: get('item_id'),
        itemType: ITEM_TYPES.valueOf(typeName),
        title: get('title'),
        category: get('category'),
        brand: get('brand'),
        price: get('price'),
        tags: get('tags') ? get('tags').split('|').map((t) => t.trim()).filter(Boolean) : [],
        attributes,
        available: available ? ['true', '1', 'yes'].includes(available) : undefined,
        publishedAt,
      }),
    };
  });
}
