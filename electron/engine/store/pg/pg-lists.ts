/** Code lists and settings of a team project (the PostgreSQL twin of project-lists.ts). */
import type { CodeEntry, CodeLists, ProjectSettings } from '../../../common/contract.js';
import { DEFAULT_SETTINGS } from '../project-lists.js';
import type { Queryable } from './pg-patch-table.js';

const KEY = {
  change_class: 'changeClass',
  legality: 'legality',
  field_result: 'fieldResult',
} as const;

export async function codeListsOf(db: Queryable): Promise<CodeLists> {
  const out: CodeLists = { changeClass: [], legality: [], fieldResult: [] };
  const r = await db.query('SELECT * FROM code_lists ORDER BY list, sort, code');
  for (const row of r.rows as {
    list: keyof typeof KEY;
    code: string;
    label: string;
    label_en: string;
    sort: number;
    active: number;
  }[]) {
    const entry: CodeEntry = {
      code: row.code,
      label: row.label,
      labelEn: row.label_en,
      sort: row.sort,
      active: row.active === 1,
    };
    out[KEY[row.list]].push(entry);
  }
  return out;
}

export async function settingsOf(db: Queryable): Promise<ProjectSettings> {
  const r = await db.query<{ value: string }>(
    "SELECT value FROM settings WHERE key = 'reject_comment_min_confidence'",
  );
  const v = r.rows[0] ? Number(r.rows[0].value) : NaN;
  return {
    rejectCommentMinConfidence: Number.isFinite(v)
      ? v
      : DEFAULT_SETTINGS.rejectCommentMinConfidence,
  };
}

export async function setSettingsOf(db: Queryable, s: ProjectSettings): Promise<ProjectSettings> {
  await db.query(
    `INSERT INTO settings (key, value) VALUES ('reject_comment_min_confidence', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(s.rejectCommentMinConfidence)],
  );
  return settingsOf(db);
}
