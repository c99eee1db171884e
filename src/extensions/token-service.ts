/**
 * The token service a custom grant calls (`issueTokens`, also `gh.tokens.issue`):
 * the one token service of every grant, tokens/token-service.ts. This path is
 * kept for hosts and extension modules that import it from here.
 */
export { issueTokens, type TokenIssueRequest, type TokenResponseBody } from '../tokens/token-service.js';
