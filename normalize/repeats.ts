// Vendor failure messages often repeat a sentence (a connector retrying and appending the same line each time):
// the repetition buries the rest of the message and eats the stored text's length budget. Consecutive identical
// sentences are folded into one with a count. Linear in the text's length (no backtracking regular expression).

/** Folds runs of the same sentence: `A. A. A. B.` becomes `A. [repeated 3 times] B.` Other text is kept as is. */
export function collapseRepeatedSentences(text: string): string {
  // Sentences interleaved with the whitespace that followed them: [s0, ws0, s1, ws1, ..., sN].
  const parts = text.split(/(?<=[.!?])(\s+)/);
  if (parts.length < 3) return text;
  let out = '';
  let i = 0;
  while (i < parts.length) {
    const sentence = parts[i]!;
    let n = 1;
    let j = i;
    while (j + 2 < parts.length && sentence.trim() !== '' && parts[j + 2] === sentence) {
      j += 2;
      n++;
    }
    out += n > 1 ? `${sentence} [repeated ${n} times]` : sentence;
    out += parts[j + 1] ?? '';
    i = j + 2;
  }
  return out;
}
