import { describe, expect, it } from 'vitest';
import { renderDevicePage, renderPage, type DevicePageProps } from '../../src/ui/index.js';
import { base, CSRF } from './fixtures.js';
import { forms, structuralProblems, tags, text } from './html-helpers.js';

const props = (over: Partial<DevicePageProps> = {}): DevicePageProps => ({ ...base, step: 'enter', action: '/ui/device', csrfToken: CSRF, ...over });

describe('device page', () => {
  it('renders a complete, accessible code form with its CSRF field', () => {
    const html = renderDevicePage(props({ userCode: 'WDJB-MJHT' }));
    expect(structuralProblems(html)).toEqual([]);
    expect(html).toContain('<title>Connect a device · Gatehouse</title>');
    const [form] = forms(html);
    expect(form.attrs).toMatchObject({ method: 'post', action: '/ui/device' });
    const inputs = tags(form.body, 'input');
    expect(inputs.find((i) => i.name === 'user_code')).toMatchObject({ id: 'user_code', value: 'WDJB-MJHT', autocomplete: 'one-time-code', required: true });
    expect(inputs.find((i) => i.name === 'csrf')).toEqual({ type: 'hidden', name: 'csrf', value: CSRF });
    expect(html).toMatch(/<label class="gh-label" for="user_code">Code<\/label>/);
  });

  it('announces each error and points the field at it', () => {
    for (const [error, message] of [
      ['invalid', 'not valid'],
      ['expired', 'has expired'],
      ['used', 'already been used'],
      ['csrf', 'session has changed'],
      ['restart', 'Enter the code again'],
    ] as const) {
      const html = renderDevicePage(props({ error }));
      expect(text(html)).toContain(message);
      expect(tags(html, 'input').find((i) => i.name === 'user_code')).toMatchObject({ 'aria-describedby': 'device-error' });
    }
    expect(text(renderDevicePage(props({ error: 'rate_limited', retryAfter: 30 })))).toContain('Try again in 30 seconds');
  });

  it('ends with the client named, approved or denied, in German too; escapes the client name', () => {
    const approved = renderDevicePage(props({ step: 'approved', client: { name: '<TV>' } }));
    expect(text(approved)).toContain('Your device is connected');
    expect(approved).toContain('&lt;TV>');
    expect(forms(approved)).toHaveLength(0);
    expect(text(renderDevicePage(props({ step: 'denied', client: { name: 'TV' }, locale: 'de' })))).toContain('TV hat keinen Zugriff');
  });

  it('can be replaced by a custom template', () => {
    expect(renderPage('device', props(), { device: (p) => `<p>${p.step}</p>` })).toBe('<p>enter</p>');
  });
});
