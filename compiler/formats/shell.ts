/** Characters a POSIX shell word may hold without quoting. */
const SAFE_WORD = /^[A-Za-z0-9@%+=:,./_-]+$/;

/**
 * One POSIX shell word holding `text` literally: unchanged when nothing in it is special,
 * otherwise single-quoted (a single quote inside becomes '\'' ).
 */
export function shellQuote(text: string): string {
  if (SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted as needed. */
export function shellCommand(...words: string[]): string {
  return words.map(shellQuote).join(" ");
}
