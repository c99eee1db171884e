/**
 * The authorization decision is a value applied in one step: its writes
 * (code, end of the interaction, session, remembered consent) go in one
 * batch, and its events are announced only once the batch is stored. The
 * interaction records where it stands as one state (awaiting, logged in,
 * consented, denied).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InteractionPayload } from '../../src/interaction/interaction-store.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { handleId } from '../../src/tokens/handles.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, consentAndResume, isConsentPage, openPage, postLogin, PUB, PUB_REDIRECT, startAt } from './interaction-helpers.js';

let s: TestServer | undefined;
afterEach(async () => s?.close());

async function setup() {
  const backend = createMemoryBackend();
  const writeAll = backend.records.writeAll.bind(backend.records);
  const control = { fail: false };
  backend.records.writeAll = async (ws) => {
    if (control.fail) throw new Error('disk full');
    return writeAll(ws);
  };
  const events: string[] = [];
  s = await startTestServer({ options: { backend, events: (e) => void events.push(e.type) } });
  return { s, backend, control, events };
}

const publicParams = () => authParams({ client_id: PUB, redirect_uri: PUB_REDIRECT });

describe('the authorization decision', () => {
  it('stores a remembered consent with the code, and announces the consent only after the batch is stored', async () => {
    const { s, control, events } = await setup();
    const jar = new CookieJar();
    const login = await startAt(jar, authorizeUrl(s.url, (await publicParams()).params), 'login');
    const consentRes = await postLogin(jar, s.url, login, { username: 'alice', password: 'alice' });
    expect(consentRes.status).toBe(303);
    const consent = await openPage(jar, new URL(consentRes.headers.get('location')!, s.url).toString());
    expect(isConsentPage(consent.html)).toBe(true);

    events.length = 0;
    control.fail = true;
    const failed = await consentAndResume(jar, s.url, consent, { remember: true });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(events).not.toContain('consent_granted');
    expect(events).not.toContain('authorization_code_issued');

    // Nothing of the failed decision was stored: the consent is asked for again.
    control.fail = false;
    const again = await jar.fetch(authorizeUrl(s.url, (await publicParams()).params));
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toContain('/ui/consent?id=');
  });

  it('keeps the interaction as one state: logged in (session started) while the consent page is open', async () => {
    const { s, backend } = await setup();
    const jar = new CookieJar();
    const login = await startAt(jar, authorizeUrl(s.url, (await publicParams()).params), 'login');
    const id = new URL(login.url).searchParams.get('id')!;
    const awaiting = await backend.records.find<InteractionPayload>('interaction', handleId(id));
    expect(awaiting?.payload.state).toEqual({ step: 'awaiting' });
    const res = await postLogin(jar, s.url, login, { username: 'alice', password: 'alice' });
    expect(res.headers.get('location')).toContain('/ui/consent?id=');
    const loggedIn = await backend.records.find<InteractionPayload>('interaction', handleId(id));
    expect(loggedIn?.payload.state).toMatchObject({ step: 'logged_in', login: { subjectId: expect.any(String), sessionStarted: true } });
    expect(loggedIn?.payload.kind).toBe('consent');
  });
});
