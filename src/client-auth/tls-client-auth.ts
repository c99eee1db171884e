/**
 * tls_client_auth (RFC 8705 §2.1): the client authenticates with the
 * certificate of its mutual TLS connection, which must match the subject it
 * registered (§2.1.2: the subject DN or one SAN). Whether a CA vouches for
 * the certificate is the TLS terminator's business (the listener does not
 * reject unknown CAs: the check is per client); here only the subject is
 * compared. The request names the client with `client_id` (§2).
 */
import type { ClientAuthMethod } from '../context.js';
import { single } from '../core/params.js';
import { clientAuthFailed } from './client-auth-failure.js';
import { subjectMismatch } from './certificate-subject.js';
import { CLIENT_ID_LIMIT } from './client-secret-post.js';

/** Presented when the request has a client certificate and a client_id (and no other credentials: authenticate-client.ts decides). */
const presentedWithCertificate = (req: Parameters<ClientAuthMethod['presented']>[0]) => req.clientCertificate !== undefined && req.body.has('client_id');

export const tlsClientAuth: ClientAuthMethod = {
  name: 'tls_client_auth',
  presented: presentedWithCertificate,
  clientId: (req) => single(req.body, 'client_id', CLIENT_ID_LIMIT),
  async verify(req, client) {
    const cert = req.clientCertificate;
    if (!cert) throw clientAuthFailed('tls_client_auth: no client certificate', 'client authentication requires a client certificate');
    const now = Date.now();
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) throw clientAuthFailed('tls_client_auth: the client certificate is not valid now');
    const mismatch = subjectMismatch(client, cert);
    if (mismatch) throw clientAuthFailed(`tls_client_auth: ${mismatch}`);
  },
};

export { presentedWithCertificate };
