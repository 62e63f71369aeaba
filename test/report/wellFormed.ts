// A strict well-formedness check for the report's markup (XHTML-style: void elements self-close):
// every tag closes in order, attributes are quoted, every '&' starts an entity, no '<' or '>' stray in
// text. Returns the problems found (empty = well-formed). Test helper, not a full XML parser.
export function wellFormedProblems(markup: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = markup.replace(/^<!DOCTYPE html>\n/, '');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let at = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(at, m.index);
    if (/[<>]/.test(text)) problems.push(`stray '<' or '>' in text before offset ${m.index}: ${JSON.stringify(text.slice(0, 60))}`);
    for (const amp of text.matchAll(/&/g)) {
      if (!/^&(#\d+|#x[0-9a-f]+|[a-z]+);/i.test(text.slice(amp.index))) problems.push(`bare '&' at offset ${at + amp.index!}`);
    }
    at = m.index! + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> at offset ${m.index} does not close the open element`);
  }
  if (/[<>]/.test(body.slice(at))) problems.push('stray markup after the last tag');
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}
