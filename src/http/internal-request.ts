import type { Dispatcher } from './dispatcher.js';
import type { InternalRequest, Params } from './types.js';

export interface RequestParts {
  method: string;
  path: string;
  query: Params;
  body: Params;
  headers: Record<string, string | undefined>;
  cookies: Record<string, string>;
  requestId: string;
  ip?: string;
}

/** Builds the InternalRequest; `url` is computed from the issuer on first use only. */
export function makeInternalRequest(dispatcher: Dispatcher, parts: RequestParts): InternalRequest {
  let url: URL | undefined;
  const base = dispatcher.issuerBase;
  return {
    ...parts,
    get url() {
      if (!url) {
        url = new URL(base + parts.path);
        for (const [k, vs] of parts.query) for (const v of vs) url.searchParams.append(k, v);
      }
      return url;
    },
  };
}
