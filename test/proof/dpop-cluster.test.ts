/**
 * DPoP across nodes: two providers sharing one operational store and the
 * key-encryption key, as the nodes of a deployment do. A proof accepted by
 * one node is refused by the other (RFC 9449 §11.1), and a server nonce one
 * node gave is accepted by the other (§8: the nonce secret derives from the
 * shared key-encryption key; no per-node state).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { basic, startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { token } from '../endpoints/helpers.js';
import { makeProof, proofKey, type ProofKey } from './dpop-proofs.js';

let a: TestServer;
let b: TestServer;
let key: ProofKey;
beforeAll(async () => {
  const backend = createMemoryBackend();
  const kek = randomBytes(32).toString('base64');
  const clock = new TestClock();
  const node = () =>
    startTestServer({
      clock,
      mutate: (c) => {
        c.keys = { ...c.keys, keyEncryptionKey: kek };
      },
      options: { backend },
    });
  a = await node();
  b = await node();
  key = await proofKey('ES256');
});
afterAll(async () => {
  await a?.close();
  await b?.close().catch(() => undefined);
});

/** A token request to `node` as `clientId`; the proof names `node`'s token endpoint (each node has its own issuer here). */
const request = (node: TestServer, clientId: string, dpop: string) =>
  token(node.url, { grant_type: 'client_credentials' }, { authorization: basic(clientId, 'secret'), dpop });

describe('DPoP on two nodes sharing a store', () => {
  it('a proof jti used at one node is refused at the other', async () => {
    // One proof, one jti; htu differs per node here (each test node has its own issuer), so the jti is reused with the same key.
    const jti = 'shared-jti-1';
    const first = await request(a, 'm2m', await makeProof(key, 'POST', `${a.url}/connect/token`, a.clock.now(), { claims: { jti } }));
    expect(first.status, first.text).toBe(200);
    const second = await request(b, 'm2m', await makeProof(key, 'POST', `${b.url}/connect/token`, b.clock.now(), { claims: { jti } }));
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_dpop_proof');
  });

  it('a nonce from one node is accepted by the other', async () => {
    const first = await request(a, 'm2m.dpop.nonce', await makeProof(key, 'POST', `${a.url}/connect/token`, a.clock.now()));
    expect(first.body.error).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    const second = await request(b, 'm2m.dpop.nonce', await makeProof(key, 'POST', `${b.url}/connect/token`, b.clock.now(), { claims: { nonce } }));
    expect(second.status, second.text).toBe(200);
    expect(second.body.token_type).toBe('DPoP');
  });
});
