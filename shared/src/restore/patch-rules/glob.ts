/** `*` matches any run of characters and `?` any one; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map(char =>
      char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}
