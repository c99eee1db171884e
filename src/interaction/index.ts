/** The interaction API a custom login/consent UI calls, and the options of the interactive part of the provider. */
import type { PageTemplates } from '../ui/index.js';
import type { InteractionUrl } from './interaction-store.js';

export type { InteractionApi, InteractionDetails, CookieSource, ScopeInfo } from './interaction-api.js';
export type { LoginResult, ConsentResult, InteractionKind, InteractionUrl } from './interaction-store.js';

export interface InteractionOptions {
  /** Where login/consent pages live; default the built-in pages under `ui.basePath`. */
  interactionUrl?: InteractionUrl;
  /** Custom page templates for the built-in pages. */
  templates?: PageTemplates;
}
