/**
 * The admin API's OpenAPI 3.1 document, generated from the same zod schemas
 * that validate its requests (admin/admin-schemas.ts) with zod 4's
 * `z.toJSONSchema` (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 * Served at `{base}/openapi.json`; committed as docs/admin-openapi.json.
 */
import type { ZodType } from 'zod';
import { z } from '../config/zod-runtime.js';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE } from './admin-resource.js';
import * as s from './admin-schemas.js';

function jsonSchema(schema: ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const read = [{ gatehouse: [ADMIN_READ_SCOPE] }, { gatehouse: [ADMIN_SCOPE] }];
const write = [{ gatehouse: [ADMIN_SCOPE] }];
const common = {
  '401': { description: 'No token, or an invalid one (RFC 6750 WWW-Authenticate challenge)' },
  '403': { description: 'The token lacks the scope (insufficient_scope)' },
};
const etag = { ETag: { schema: { type: 'string' }, description: 'The version of the resource; send it back in If-Match' } };
const ifMatch = (required: boolean) => ({ name: 'If-Match', in: 'header', required, schema: { type: 'string' } });
const subjectId = { name: 'subjectId', in: 'path', required: true, schema: { type: 'string' } };
const list = (item: string) => ({ type: 'object', properties: { items: { type: 'array', items: ref(item) } }, required: ['items'] });
const clientId = { name: 'clientId', in: 'path', required: true, schema: { type: 'string' } };
const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const paging = [query('limit', 'Page size', { type: 'integer', minimum: 1 }), query('cursor', 'The `next` link of the previous page carries it')];

/**
 * @example writeFileSync('docs/admin-openapi.json', JSON.stringify(adminOpenApi('/admin/api/v1', '/connect/token'), null, 2) + '\n');
 */
export function adminOpenApi(serverUrl: string, tokenUrl: string): Record<string, unknown> {
  const auditFilters = ['action', 'resourceType', 'resourceId', 'actor'].map((n) => query(n, `Only entries with this ${n}`));
  const timeFilters = [query('since', 'Epoch seconds, inclusive', { type: 'integer' }), query('until', 'Epoch seconds, exclusive', { type: 'integer' })];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse admin API',
      version: '1',
      description: 'Clients, users, sessions, signing keys and the audit log of a Gatehouse server (docs/admin-api.md). Errors are RFC 9457 problem details.',
    },
    servers: [{ url: serverUrl }],
    security: read,
    paths: {
      '/clients': {
        get: {
          summary: 'List clients (configured ones first, read-only)',
          parameters: [
            ...paging,
            query('source', 'configuration, admin or registration'),
            query('enabled', 'true or false'),
            query('grantType', 'Only clients allowed this grant type'),
            query('q', 'Substring of the client id or name'),
          ],
          responses: { '200': { description: 'A page of clients', content: json('ClientList') }, ...common },
        },
        post: {
          summary: 'Create a client; idempotent by clientId (the same body again answers 200)',
          security: write,
          requestBody: { required: true, content: json('ClientCreate') },
          responses: {
            '201': { description: 'Created; `clientSecret` is shown this once', headers: etag, content: json('Client') },
            '200': { description: 'The same client already exists (a repeated create)', headers: etag, content: json('Client') },
            '409': problem('The clientId is taken by another client or by the configuration'),
            '422': problem('Invalid client: every problem with its JSON pointer'),
            ...common,
          },
        },
      },
      '/clients/{clientId}': {
        parameters: [clientId],
        get: {
          summary: 'Read a client',
          responses: { '200': { description: 'The client', headers: etag, content: json('Client') }, '404': problem('No such client'), ...common },
        },
        put: {
          summary: 'Replace a client (secrets are kept)',
          security: write,
          parameters: [ifMatch(true)],
          requestBody: { required: true, content: json('ClientUpdate') },
          responses: {
            '200': { description: 'Replaced', headers: etag, content: json('Client') },
            '409': problem('The client is read-only (configuration file, or RFC 7591 registration)'),
            '412': problem('If-Match is stale'),
            '422': problem('Invalid client'),
            '428': problem('If-Match is missing'),
            ...common,
          },
        },
        delete: {
          summary: 'Delete a client',
          security: write,
          parameters: [ifMatch(false)],
          responses: {
            '204': { description: 'Deleted' },
            '409': problem('Read-only, or the client the caller token was issued to'),
            '412': problem('If-Match is stale'),
            ...common,
          },
        },
      },
      '/clients/{clientId}/secrets': {
        parameters: [clientId],
        post: {
          summary: 'Add a new client secret (shown once), optionally removing the others',
          security: write,
          parameters: [ifMatch(false)],
          requestBody: { required: false, content: json('SecretCreate') },
          responses: { '201': { description: 'The new secret', content: json('SecretCreated') }, '409': problem('Read-only client'), ...common },
        },
      },
      '/audit': {
        get: {
          summary: 'Query the audit log (oldest first)',
          parameters: [...paging, ...auditFilters, ...timeFilters],
          responses: { '200': { description: 'A page of entries', content: json('AuditList') }, ...common },
        },
      },
      '/audit/export': {
        get: {
          summary: 'Export matching audit entries as NDJSON',
          parameters: [...auditFilters, ...timeFilters],
          responses: { '200': { description: 'One entry a line', content: { 'application/x-ndjson': { schema: ref('AuditEntry') } } }, ...common },
        },
      },
      '/users': {
        get: {
          summary: 'List users of the SQL user store',
          parameters: [query('username', 'Only this user')],
          responses: { '200': { description: 'Users', content: json('UserList') }, ...common },
        },
        post: {
          summary: 'Create a user (argon2id password hash)',
          security: write,
          requestBody: { required: true, content: json('UserCreate') },
          responses: {
            '201': { description: 'Created', headers: etag, content: json('User') },
            '409': problem('Username or subject taken'),
            '422': problem('Invalid user'),
            ...common,
          },
        },
      },
      '/users/{subjectId}': {
        parameters: [subjectId],
        get: {
          summary: 'Read a user',
          responses: { '200': { description: 'The user', headers: etag, content: json('User') }, '404': problem('No such user'), ...common },
        },
        delete: {
          summary: 'Delete a user: grants revoked, sessions ended, then the user',
          security: write,
          parameters: [ifMatch(false)],
          responses: { '204': { description: 'Deleted' }, '404': problem('No such user'), '412': problem('If-Match is stale'), ...common },
        },
      },
      '/users/{subjectId}/disable': {
        parameters: [subjectId],
        post: {
          summary: 'Disable a user and end their sessions',
          security: write,
          responses: { '200': { description: 'Disabled', content: json('User') }, ...common },
        },
      },
      '/users/{subjectId}/enable': {
        parameters: [subjectId],
        post: { summary: 'Enable a user', security: write, responses: { '200': { description: 'Enabled', content: json('User') }, ...common } },
      },
      '/users/{subjectId}/password': {
        parameters: [subjectId],
        post: {
          summary: 'Reset the password (and clear the login lockout)',
          security: write,
          requestBody: { required: true, content: json('PasswordReset') },
          responses: { '204': { description: 'Reset' }, ...common },
        },
      },
      '/sessions': {
        get: {
          summary: 'Live sessions of a user or of a client',
          parameters: [query('subjectId', 'The user'), query('clientId', 'The client')],
          responses: { '200': { description: 'Sessions', content: json('SessionList') }, '400': problem('Neither subjectId nor clientId'), ...common },
        },
      },
      '/sessions/{sid}': {
        parameters: [{ name: 'sid', in: 'path', required: true, schema: { type: 'string' } }],
        delete: {
          summary: 'End a session (back-channel logout to its clients, session-bound tokens revoked)',
          security: write,
          responses: { '204': { description: 'Ended' }, '404': problem('No live session'), ...common },
        },
      },
      '/keys': { get: { summary: 'Signing keys with their status', responses: { '200': { description: 'Keys', content: json('KeyList') }, ...common } } },
      '/keys/rotate': {
        post: {
          summary: 'Start a rotation: a new key per algorithm, announced before it signs',
          security: write,
          responses: { '201': { description: 'The new keys', content: json('KeyList') }, ...common },
        },
      },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
    components: {
      securitySchemes: {
        gatehouse: {
          type: 'oauth2',
          description: 'Access tokens of this Gatehouse for the API resource gatehouse.admin (client credentials: `gatehouse admin-client create`).',
          flows: { clientCredentials: { tokenUrl, scopes: { [ADMIN_SCOPE]: 'Read and change', [ADMIN_READ_SCOPE]: 'Read only' } } },
        },
      },
      schemas: {
        ClientCreate: jsonSchema(s.clientCreateSchema, 'input'),
        ClientUpdate: jsonSchema(s.clientUpdateSchema, 'input'),
        Client: jsonSchema(s.clientViewSchema, 'output'),
        ClientList: { type: 'object', properties: { items: { type: 'array', items: ref('Client') }, next: { type: 'string' } }, required: ['items'] },
        SecretCreate: jsonSchema(s.secretCreateSchema, 'input'),
        SecretCreated: jsonSchema(s.secretCreatedSchema, 'output'),
        AuditEntry: jsonSchema(s.auditEntrySchema, 'output'),
        AuditList: { type: 'object', properties: { items: { type: 'array', items: ref('AuditEntry') }, next: { type: 'string' } }, required: ['items'] },
        UserCreate: jsonSchema(s.userCreateSchema, 'input'),
        PasswordReset: jsonSchema(s.passwordResetSchema, 'input'),
        User: jsonSchema(s.userViewSchema, 'output'),
        UserList: list('User'),
        Session: jsonSchema(s.sessionViewSchema, 'output'),
        SessionList: list('Session'),
        Key: jsonSchema(s.keyViewSchema, 'output'),
        KeyList: list('Key'),
        Problem: jsonSchema(s.problemSchema, 'output'),
      },
    },
  };
}
