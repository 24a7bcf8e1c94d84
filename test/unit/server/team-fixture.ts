/**
 * A team database for server tests: PostGIS projects (one per schema) made from the store
 * fixtures, a user per role, and a small JSON client for the team server's HTTP API.
 */
import pg from 'pg';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import { TeamUsers } from '../../../electron/engine/team/team-users.js';
import { detection, newRun, scene } from '../store/fixtures.js';

export const PASSWORD = 'correct horse battery';
export const ROLE_USERS = { viewer: 'vera', analyst: 'anna', supervisor: 'sam' } as const;

/** Makes a team project in each schema (2 patches each) and the three users. */
export async function seedTeamDb(url: string, schemas: string[], users = true): Promise<void> {
  for (const schema of schemas) {
    const store = await PgReviewStore.create(
      { url, schema },
      `Project ${schema}`,
      scene('before'),
      scene('after'),
    );
    await store.addRun(newRun(), [detection(0, 0, 10, 10, 0.5), detection(50, 50, 70, 70, 0.6)]);
    await store.close();
  }
  if (!users) return;
  const team = await TeamUsers.open(url);
  try {
    for (const [role, name] of Object.entries(ROLE_USERS)) await team.add(name, role, PASSWORD);
  } finally {
    await team.close();
  }
}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** POSTs one API call; `token` goes as `Authorization: Bearer`. */
export async function call(
  baseUrl: string,
  channel: string,
  payload: unknown = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(new URL(`api/${channel}`, baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(payload),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export function errorOf(answer: Answer): { code: string; message: string } {
  return (answer.body as { error: { code: string; message: string } }).error;
}

/** Logs in and returns the session token. */
export async function login(baseUrl: string, user: string, password = PASSWORD): Promise<string> {
  const a = await call(baseUrl, 'team.login', { user, password });
  if (a.status !== 200) throw new Error(`login ${user}: ${a.status} ${JSON.stringify(a.body)}`);
  return (a.body as { token: string }).token;
}

/** Rows of one query on the team database (to look at what the server stored). */
export async function pgRows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
