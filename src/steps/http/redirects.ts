import { RedirectError } from '../../errors';
import { maskUrl } from '../../security/redaction';

/** Statuses the step follows when the response has a Location header. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One followed redirect, as recorded in the step result. */
export interface RedirectHop {
  status: number;

  /** Redacted URL the redirect pointed to. */
  location: string;
}

export interface NextHop {
  url: URL;
  method: string;
  dropBody: boolean;
  crossOrigin: boolean;
}

/**
 * Works out the request that follows a redirect response. 303, and 301 or 302 after
 * a POST, turn the request into a GET without a body, as browsers do; 307 and 308
 * repeat the method and body. Throws {@link RedirectError} on a loop, on more than
 * `maxRedirects` hops, or on a missing or invalid Location.
 */
export function nextHop(current: URL, method: string, status: number, location: string | undefined, visited: Set<string>, maxRedirects: number): NextHop {
  if (location === undefined || location.trim() === '') {
    throw new RedirectError(`Redirect ${status} from ${maskUrl(current)} has no Location header.`, { status, url: maskUrl(current) });
  }

  let target: URL;
  try {
    target = new URL(location, current);
  } catch {
    throw new RedirectError(`Redirect ${status} from ${maskUrl(current)} has an invalid Location.`, { status, url: maskUrl(current) });
  }

  if (visited.has(target.href)) {
    throw new RedirectError(`Redirect loop: ${maskUrl(target)} was already requested in this attempt.`, { status, url: maskUrl(target), hops: visited.size });
  }
  if (visited.size > maxRedirects) {
    throw new RedirectError(
      `Too many redirects: more than maxRedirects (${maxRedirects}) hops, the last to ${maskUrl(target)}. Raise maxRedirects or call the final URL directly.`,
      { status, url: maskUrl(target), maxRedirects },
    );
  }

  const becomesGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
  return {
    url: target,
    method: becomesGet && method !== 'HEAD' ? 'GET' : method,
    dropBody: becomesGet,
    crossOrigin: target.origin !== current.origin,
  };
}
