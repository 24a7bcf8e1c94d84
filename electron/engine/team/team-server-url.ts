/**
 * The address of a team server as a user types it ("Open team server…"): an http(s) URL without
 * credentials, reduced to its origin (the server's own page opens there and asks for the login).
 * Plain http is accepted only for this machine or with the user's explicit consent
 * (`allowInsecure`), since passwords and decisions would cross the network in the clear.
 */
import { LandWatchError } from '../errors.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export function teamServerOrigin(typed: string, allowInsecure = false): string {
  const text = typed.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `"${typed}" is not a server address; type it as https://host:port.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${url.protocol} addresses are not team servers; type it as https://host:port.`,
    );
  if (url.username || url.password)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      'Leave the user name and password out of the address: the server asks for them.',
    );
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowInsecure)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${url.origin} is not encrypted (http): your password would cross the network in the clear. Use the server's https address, or confirm that this network is trusted.`,
    );
  return url.origin;
}
