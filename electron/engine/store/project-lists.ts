/**
 * A project's configurable code lists (change classes in the style of the national 图斑类型
 * codes, legality, field-check results) and its settings, with the checks edits run against them.
 */
import type Database from 'better-sqlite3';
import type {
  CodeEntry,
  CodeLists,
  PatchAttributes,
  ProjectSettings,
} from '../../common/contract.js';
import { checkAttributeCodes } from './edit-rules.js';

type ListName = 'change_class' | 'legality' | 'field_result';

interface CodeRow {
  list: ListName;
  code: string;
  label: string;
  label_en: string;
  sort: number;
  active: number;
}

export const DEFAULT_SETTINGS: ProjectSettings = { rejectCommentMinConfidence: 0.8 };

/** Code lists and settings of one project file. */
export class ProjectLists {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      codes: db.prepare('SELECT * FROM code_lists ORDER BY list, sort, code'),
      code: db.prepare('SELECT * FROM code_lists WHERE list = ? AND code = ?'),
      active: db.prepare(
        'SELECT code, label FROM code_lists WHERE list = ? AND active = 1 ORDER BY sort, code',
      ),
      setting: db.prepare('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  codeLists(): CodeLists {
    const out: CodeLists = { changeClass: [], legality: [], fieldResult: [] };
    const key: Record<ListName, keyof CodeLists> = {
      change_class: 'changeClass',
      legality: 'legality',
      field_result: 'fieldResult',
    };
    for (const r of this.stmts.codes.all() as CodeRow[]) {
      const entry: CodeEntry = {
        code: r.code,
        label: r.label,
        labelEn: r.label_en,
        sort: r.sort,
        active: r.active === 1,
      };
      out[key[r.list]].push(entry);
    }
    return out;
  }

  /**
   * Checks coded attributes against the active entries of their lists.
   *
   * @throws LandWatchError E_BAD_REQUEST naming the attribute, the bad code and the valid ones
   */
  checkAttributes(attributes: Partial<PatchAttributes>): void {
    checkAttributeCodes(this.codeLists(), attributes);
  }

  settings(): ProjectSettings {
    const raw = this.stmts.setting.get('reject_comment_min_confidence') as
      { value: string } | undefined;
    const v = raw ? Number(raw.value) : NaN;
    return {
      rejectCommentMinConfidence: Number.isFinite(v)
        ? v
        : DEFAULT_SETTINGS.rejectCommentMinConfidence,
    };
  }

  setSettings(s: ProjectSettings): ProjectSettings {
    this.stmts.setSetting.run(
      'reject_comment_min_confidence',
      String(s.rejectCommentMinConfidence),
    );
    return this.settings();
  }
}
