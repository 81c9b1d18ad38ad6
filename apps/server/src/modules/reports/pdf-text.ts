/**
 * The report is set in the PDF standard fonts (Helvetica), which need no font file in the server and
 * keep a report small, but can show only the WinAnsi characters. A student's excerpt may hold any
 * character: those outside WinAnsi are shown as '?', and line breaks as ' / ' so an excerpt stays one
 * run of text. The certificate itself travels untouched as an attachment (report-pdf.ts).
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n|\r|\n/g, ' / ')) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (c === 0x09) out += ' ';
    else out += '?';
  }
  return out;
}

/** A text cut to at most `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
