import { extractMainText } from './extract-main-text';

const paragraph = (text: string) => `<p>${text.repeat(6)}</p>`;
const page = `<!doctype html><html><head><title>Shoigu in Jakarta | News</title><script>track()</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Celebrity news</a></li></ul></div>
<article><h1>Shoigu in Jakarta</h1>
${paragraph('Russian defence minister Sergei Shoigu arrived in Jakarta for talks on defence cooperation. ')}
${paragraph('He is expected to travel on to Kuala Lumpur, where he will meet Malaysian officials. ')}
<p>See <a href="/related/brics">Indonesia and BRICS</a>.</p></article>
<footer>© News Ltd. Cookie settings</footer></body></html>`;

describe('extractMainText', () => {
  describe('given an article page with navigation, sidebar and footer', () => {
    const main = extractMainText(page, 'https://news.example.org/world/shoigu-jakarta');

    it('keeps the article text and drops the page furniture', () => {
      expect(main).not.toBeNull();
      expect(main!.text).toContain('Sergei Shoigu arrived in Jakarta');
      expect(main!.text).toContain('Kuala Lumpur');
      expect(main!.text).not.toMatch(/Celebrity news|Cookie settings|track\(\)/);
    });

    it('resolves links against the page URL', () => {
      expect(main!.html).toContain('https://news.example.org/related/brics');
    });
  });

  it('returns null for a page with no article', () => {
    expect(
      extractMainText('<html><body><p>Subscribe to read.</p></body></html>', 'https://x.example.org/'),
    ).toBeNull();
  });
});
