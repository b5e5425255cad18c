import { htmlToText, repairC1, repairMojibake, resolveHtmlUrls } from './html-to-text';

describe('htmlToText', () => {
  describe('when the HTML hides scripts from regexes', () => {
    it('drops script and style content, comments and attributes', () => {
      const html = `<!-- <script> -->safe<script type="text/javascript">location.href='http:/'+'/x/';</script> <style>p{}</style>description
<div notRealAttribute="value"onmouseover="executeMe();"foo="bar">I will execute here, too</div>
<script
>alert("Executed")
  &lt; /script>
</script
>after`;
      expect(htmlToText(html)).toBe('safe description\nI will execute here, too\nafter');
    });

    it('treats an unclosed script as swallowing the rest', () => {
      expect(htmlToText('before<script>alert(1)')).toBe('before');
    });
  });

  describe('when the HTML has structure', () => {
    it('separates paragraphs and lines, collapses spaces and decodes entities', () => {
      expect(
        htmlToText(
          '<h1>Title</h1><p>One&nbsp;two  &amp;\n three</p><ul><li>a</li><li>b</li></ul>x<br>y &eacute;&#233;&#xE9; &copy 5 &lt; 6',
        ),
      ).toBe('Title\n\nOne\u00a0two & three\n\na\nb\n\nx\ny ééé © 5 < 6');
    });

    it('keeps a "<" that does not start a tag', () => {
      expect(htmlToText('a < b and c <3')).toBe('a < b and c <3');
    });
  });
});

describe('repairC1', () => {
  it('maps C1 controls to their windows-1252 characters (demoronize)', () => {
    expect(repairC1('don\u0092t \u0093quote\u0094 \u0085')).toBe('don’t “quote” …');
  });
});

describe('repairMojibake', () => {
  it('repairs UTF-8 read as Latin-1 or windows-1252', () => {
    expect(repairMojibake('\u00e2\u0080\u00a6')).toBe('…');
    expect(repairMojibake('CafÃ© â€™')).toBe('Café ’');
  });

  it('leaves genuine Latin-1 text alone', () => {
    expect(repairMojibake('À côté de l’été, Ã la carte')).toBe('À côté de l’été, Ã la carte');
  });
});

describe('resolveHtmlUrls', () => {
  it('makes relative href/src/srcset absolute and leaves the rest as written', () => {
    const html =
      '<p><img src="IMG_1.jpeg" srcset="a.jpg 1x, /b.jpg 2x"> <a href=\'../x?a=1&amp;b=2\'>x</a> <a href="#top">t</a> <a href="mailto:a@b.c">m</a> src="text.jpg"</p>';
    expect(resolveHtmlUrls(html, 'https://numi.st/post/2022/travel-uke/')).toBe(
      '<p><img src="https://numi.st/post/2022/travel-uke/IMG_1.jpeg" srcset="https://numi.st/post/2022/travel-uke/a.jpg 1x, https://numi.st/b.jpg 2x"> <a href=\'https://numi.st/post/2022/x?a=1&amp;b=2\'>x</a> <a href="#top">t</a> <a href="mailto:a@b.c">m</a> src="text.jpg"</p>',
    );
  });
});
