/** What the user is told when what they gave is wrong: one message, exit code 2, and no value echoed at length. */
export class UsageError extends Error {}

/** Longest part of a value a message repeats. */
export const SHOWN_CHARS = 100;

/**
 * Long values echoed in a message, cut and followed by their length: a quoted value as `"abc…" (102400
 * characters)`, and any other run of more than twice SHOWN_CHARS characters without a space the same way.
 */
export function cutLongValues(text: string): string {
  return text
    .replace(/"(?:[^"\\\n]|\\.)*"(?! \(\d+ characters\))/g, (quoted) => {
      if (quoted.length <= SHOWN_CHARS + 2) return quoted;
      let length = quoted.length - 2;
      try {
        length = (JSON.parse(quoted) as string).length;
      } catch {
        // not JSON: count the characters between the quotes
      }
      return `"${quoted.slice(1, SHOWN_CHARS + 1)}…" (${length} characters)`;
    })
    .replace(new RegExp(`[^\\s"]{${2 * SHOWN_CHARS + 1},}`, "g"), (run) => `${run.slice(0, SHOWN_CHARS)}… (${run.length} characters)`);
}
