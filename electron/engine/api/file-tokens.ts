/**
 * Opaque tokens for files the user chose: the renderer only ever holds tokens, and only files
 * registered here (chosen through a dialog, part of an open project, or an export just written)
 * can be read back through a transport.
 */
import { randomBytes } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { LandWatchError } from '../errors.js';

export interface RegisteredFile {
  token: string;
  name: string;
}

export class FileTokens {
  private readonly byToken = new Map<string, string>();
  private readonly byPath = new Map<string, string>();

  register(path: string): RegisteredFile {
    const abs = resolve(path);
    let token = this.byPath.get(abs);
    if (!token) {
      token = randomBytes(12).toString('hex');
      this.byToken.set(token, abs);
      this.byPath.set(abs, token);
    }
    return { token, name: basename(abs) };
  }

  pathOf(token: string): string {
    const path = this.byToken.get(token);
    if (!path)
      throw new LandWatchError('E_NOT_FOUND', 'That file is no longer available; choose it again.');
    return path;
  }

  has(token: string): boolean {
    return this.byToken.has(token);
  }
}
