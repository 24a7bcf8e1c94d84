/**
 * `landwatch team user add|passwd|role|list`: the users of a team database (PostgreSQL) and their
 * roles. Passwords are read from standard input (first line), never from the command line, where
 * other users of the machine could see them in the process list.
 */
import { parseArgs } from 'node:util';
import { LandWatchError } from '../engine/errors.js';
import { ROLES, TeamUsers } from '../engine/team/team-users.js';
import { TEAM_MOVE_USAGE, runTeamMoveCommand } from './team-move-command.js';

export const TEAM_USAGE = `  landwatch team user add <name> --role ${ROLES.join('|')} --db <postgres://…>   password on stdin
  landwatch team user passwd <name> --db <url>      new password on stdin; ends the user's sessions
  landwatch team user role <name> <${ROLES.join('|')}> --db <url>
  landwatch team user list --db <url>
${TEAM_MOVE_USAGE}`;

const bad = (message: string) => new LandWatchError('E_BAD_REQUEST', `${message}\n${TEAM_USAGE}`);

/** The first line of standard input (the password), without its line ending. */
async function readPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  if ((stdin as { isTTY?: boolean }).isTTY)
    throw bad('give the password on standard input, e.g. `landwatch team user add … < file`.');
  let text = '';
  for await (const chunk of stdin) text += chunk.toString();
  const line = text.split(/\r?\n/)[0];
  if (!line) throw bad('no password on standard input.');
  return line;
}

export async function runTeamCommand(
  argv: string[],
  io: { stdin: NodeJS.ReadableStream; out: (line: string) => void } = {
    stdin: process.stdin,
    out: (line) => process.stdout.write(`${line}\n`),
  },
): Promise<number> {
  if (['push', 'checkout', 'return'].includes(argv[0])) return runTeamMoveCommand(argv, io.out);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, role: { type: 'string' } },
    strict: true,
  });
  const [what, action, name, role] = positionals;
  if (what !== 'user') throw bad(`unknown team command "${what ?? ''}".`);
  if (!values.db) throw bad('--db <postgres://…> is required.');
  if (!/^postgres(ql)?:\/\//.test(values.db))
    throw bad(`--db ${values.db}: give a postgres:// URL.`);
  const users = await TeamUsers.open(values.db);
  try {
    switch (action) {
      case 'add': {
        if (!name) throw bad('give the user name.');
        if (!values.role) throw bad(`--role is required (${ROLES.join(', ')}).`);
        const user = await users.add(name, values.role, await readPassword(io.stdin));
        io.out(`added ${user.name} (${user.role})`);
        return 0;
      }
      case 'passwd':
        if (!name) throw bad('give the user name.');
        await users.passwd(name, await readPassword(io.stdin));
        io.out(`password of ${name} changed; their sessions ended`);
        return 0;
      case 'role':
        if (!name || !role) throw bad('give the user name and the role.');
        await users.setRole(name, role);
        io.out(`${name} is now ${role}`);
        return 0;
      case 'list':
        for (const u of await users.list()) io.out(`${u.name}\t${u.role}\t${u.createdAt}`);
        return 0;
      default:
        throw bad(`unknown team user action "${action ?? ''}".`);
    }
  } finally {
    await users.close();
  }
}
