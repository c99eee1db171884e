/**
 * Parameter declarations: what an endpoint or a grant reads, checked once by
 * the dispatcher before the handler runs (DESIGN.md "Layers": a parameter
 * the spec allows once but sent twice is rejected before any handler runs).
 *
 * The check does not throw: the first problem is kept on the request and the
 * endpoint raises it (`raiseParameterProblem`) where its error channel wants
 * it. The token endpoint raises it inside its event reporting; the authorize
 * endpoint once the redirect URI is verified, so the error is redirected to
 * the client (RFC 6749 §4.1.2.1).
 */
import { InvalidRequest, type OAuthError } from '../errors.js';
import type { InternalRequest, Params } from './types.js';

export interface ParameterRule {
  /** May be sent more than once (RFC 8707 §2 `resource`); otherwise a repeat is invalid_request (RFC 6749 §3.1, §3.2). */
  repeated?: boolean;
  /** Longest value accepted when longer than the declaration's `maxLength` (signed JWTs). */
  maxLength?: number;
  /** Absent or empty is invalid_request "missing required parameter". */
  required?: boolean;
}

/** A parameter a grant or an endpoint reads: its name, or its name with its rule. */
export type ParameterSpec = string | ({ name: string } & ParameterRule);

export interface ParameterDeclaration {
  /** Where the parameters are read: the form body, the query, or the query on GET and the body on POST (OIDC Core §3.1.2.1). */
  from: 'body' | 'query' | 'method';
  /** With `from: 'body'`: the error when the query carries parameters. */
  queryRefused?: string;
  rules: Readonly<Record<string, ParameterRule>>;
  /** Longest name and value of every parameter, declared or not; no length check here when unset. */
  maxLength?: number;
}

/** The rules of a list of parameter specs (a grant's `parameters`). */
export function rulesOf(specs: readonly ParameterSpec[]): Record<string, ParameterRule> {
  const rules: Record<string, ParameterRule> = {};
  for (const s of specs) if (typeof s !== 'string') rules[s.name] = { repeated: s.repeated, maxLength: s.maxLength, required: s.required };
  return rules;
}

/** The parameters a declaration reads from the request. */
export function declaredSource(req: InternalRequest, decl: ParameterDeclaration): Params {
  if (decl.from === 'method') return req.method === 'POST' ? req.body : req.query;
  return decl.from === 'body' ? req.body : req.query;
}

/** The first problem of the request's parameters under the declaration; undefined when there is none. */
export function checkParameters(req: InternalRequest, decl: ParameterDeclaration): OAuthError | undefined {
  if (decl.from === 'body' && decl.queryRefused && req.query.size) return new InvalidRequest(decl.queryRefused);
  const params = declaredSource(req, decl);
  const limit = decl.maxLength;
  for (const [name, values] of params) {
    const rule = Object.hasOwn(decl.rules, name) ? decl.rules[name] : undefined;
    const shown = name.slice(0, 64);
    if (values.length > 1 && !rule?.repeated) return new InvalidRequest(`parameter ${shown} must not be repeated`);
    if (limit !== undefined) {
      const max = Math.max(limit, rule?.maxLength ?? 0);
      if (name.length > limit || values.some((v) => v.length > max)) return new InvalidRequest(`parameter ${shown} is too long`);
    }
  }
  for (const name in decl.rules) {
    if (decl.rules[name].required && !params.get(name)?.[0]) return new InvalidRequest(`missing required parameter: ${name}`);
  }
  return undefined;
}

/** Throws the problem the dispatcher found in the request's parameters, if any. */
export function raiseParameterProblem(req: InternalRequest): void {
  if (req.parameterProblem) throw req.parameterProblem;
}
